"""docs/permissions.md is generated from the permission registry and kept up to date (regenerate it with
`manage.py permissions_doc` after changing a rule)."""

import pytest
from django.core.management import CommandError, call_command

from samhandling.core.management.commands.permissions_doc import DEFAULT_PATH, render
from samhandling.core.permissions import registered_rules


def test_the_permissions_document_is_up_to_date():
    call_command("permissions_doc", "--check")


def test_check_fails_when_the_document_differs(tmp_path):
    stale = tmp_path / "permissions.md"
    stale.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace("core.manage_user", "core.manage_usr"))
    with pytest.raises(CommandError, match="out of date"):
        call_command("permissions_doc", "--check", "--output", str(stale))
    call_command("permissions_doc", "--output", str(stale))
    call_command("permissions_doc", "--check", "--output", str(stale))


def test_the_document_names_every_rule_with_its_roles():
    text = render(registered_rules())
    for name in registered_rules():
        assert f"| `{name}` |" in text
    assert "| `core.manage_user` | Create, change and deactivate the users" in text
    assert "`secretariat`, `admin` | `user` |" in text
