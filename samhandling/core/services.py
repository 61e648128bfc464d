"""Every write to the core tables: one function per use case, each checking permission and writing an audit event
in the same transaction. Mail goes out with `transaction.on_commit`, so a rolled-back write never sends any."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from . import audit
from .models import (
    ADDABLE_TOP_LEVEL_TYPES,
    UNIT_PARENT_TYPES,
    Helsefellesskap,
    Language,
    Membership,
    Organisation,
    Role,
    User,
)
from .permissions import communities_of_organisation, forget_memberships, require


def _community_of(organisation: Organisation) -> Helsefellesskap | None:
    return communities_of_organisation(organisation).order_by("name").first()


# --- organisations ------------------------------------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    helsefellesskap: Helsefellesskap,
    name: str,
    type: str,
    parent: Organisation | None = None,
    short_name: str = "",
    org_number: str = "",
) -> Organisation:
    """Add a unit under an organisation of the community, or a new top-level party (GP office, legevakt …)."""
    if parent is not None:
        require(actor, "core.manage_organisation", parent)
        allowed = UNIT_PARENT_TYPES.get(type, frozenset())
        if parent.type not in allowed:
            raise ValidationError(
                {"type": _("A unit of this type cannot be placed under %(parent)s.") % {"parent": parent.name}}
            )
    else:
        require(actor, "core.manage_community", helsefellesskap)
        if type not in ADDABLE_TOP_LEVEL_TYPES:
            raise ValidationError({"type": _("This type of organisation must be placed under another one.")})
    organisation = Organisation.objects.create(
        name=name.strip(), short_name=short_name.strip(), type=type, parent=parent, org_number=org_number
    )
    if parent is None:
        helsefellesskap.members.add(organisation)
    audit.record(
        actor=actor,
        action="core.organisation.created",
        target=organisation,
        helsefellesskap=helsefellesskap,
        data={"type": type, "parent": parent.pk if parent else None},
    )
    return organisation


EDITABLE_ORGANISATION_FIELDS = ("name", "short_name", "org_number")


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, **changes: str) -> Organisation:
    """Change a user-created organisation. Reference data (municipalities, hospitals …) only via its loader."""
    require(actor, "core.manage_organisation", organisation)
    if organisation.is_reference:
        raise ValidationError(_("This organisation comes from public reference data and cannot be changed here."))
    unknown = set(changes) - set(EDITABLE_ORGANISATION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    before = {name: getattr(organisation, name) for name in changes}
    for name, value in changes.items():
        setattr(organisation, name, value.strip())
    organisation.save()
    diff = {name: [before[name], getattr(organisation, name)] for name in changes if before[name] != changes[name]}
    if diff:
        audit.record(
            actor=actor,
            action="core.organisation.updated",
            target=organisation,
            helsefellesskap=_community_of(organisation),
            data={"changes": diff},
        )
    return organisation


@transaction.atomic
def organisation_set_active(*, actor: User, organisation: Organisation, active: bool) -> Organisation:
    require(actor, "core.manage_organisation", organisation)
    if organisation.is_reference:
        raise ValidationError(_("This organisation comes from public reference data and cannot be changed here."))
    if organisation.is_active != active:
        organisation.is_active = active
        organisation.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor=actor,
            action="core.organisation.reactivated" if active else "core.organisation.deactivated",
            target=organisation,
            helsefellesskap=_community_of(organisation),
        )
    return organisation


# --- users and memberships --------------------------------------------------------------------------------------


def _send_welcome(user_id: int, base_url: str) -> None:
    user = User.objects.get(pk=user_id)
    link = base_url.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.language):
        subject = _("Your user account in Samhandling")
        body = render_to_string("registration/welcome_email.txt", {"user": user, "link": link})
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_create(
    *,
    actor: User,
    organisation: Organisation,
    role: str,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    title: str = "",
    language: str = Language.BOKMAL,
    base_url: str = "",
) -> User:
    """Create a person with a first role, and e-mail them a link to choose their own password."""
    require(actor, "core.grant_role", (organisation, role))
    username = username.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    if email and User.objects.filter(email__iexact=email.strip()).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    user = User(
        username=username,
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        title=title.strip(),
        language=language,
    )
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    community = _community_of(organisation)
    audit.record(
        actor=actor,
        action="core.user.created",
        target=user,
        helsefellesskap=community,
        data={"organisation": organisation.pk, "organisation_name": organisation.name, "role": role},
    )
    if user.email and base_url:
        transaction.on_commit(lambda: _send_welcome(user.pk, base_url))
    return user


EDITABLE_USER_FIELDS = ("first_name", "last_name", "email", "title", "phone", "hpr_number", "language")


@transaction.atomic
def user_update(*, actor: User, user: User, **changes: str) -> User:
    require(actor, "core.manage_user", user)
    unknown = set(changes) - set(EDITABLE_USER_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    email = changes.get("email", "").strip().lower()
    if email and User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError({"email": _("A user with this e-mail address already exists.")})
    hpr_number = changes.get("hpr_number", "").strip()
    if hpr_number and User.objects.filter(hpr_number=hpr_number).exclude(pk=user.pk).exists():
        raise ValidationError({"hpr_number": _("Another user has this HPR number.")})
    diff = {}
    for name, value in changes.items():
        value = value.strip().lower() if name == "email" else value.strip()
        if getattr(user, name) != value:
            diff[name] = True  # what changed, not the values: names and addresses stay out of the log
            setattr(user, name, value)
    if diff:
        user.save()
        audit.record(actor=actor, action="core.user.updated", target=user, data={"fields": sorted(diff)})
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    require(actor, "core.manage_user", user)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate yourself."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(actor=actor, action="core.user.reactivated" if active else "core.user.deactivated", target=user)
    return user


@transaction.atomic
def user_set_language(*, actor: User, language: str) -> User:
    """A person chooses bokmål or nynorsk for the whole interface (their own setting only)."""
    if language not in Language.values:
        raise ValidationError({"language": _("Choose bokmål or nynorsk.")})
    if actor.language != language:
        actor.language = language
        actor.save(update_fields=["language"])
        audit.record(actor=actor, action="core.user.language_changed", target=actor, data={"language": language})
    return actor


@transaction.atomic
def user_change_password(*, actor: User, new_password: str) -> User:
    """Set the acting user's own password; the form has already checked the old one and the password rules."""
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit.record(actor=actor, action="core.user.password_changed", target=actor)
    return actor


@transaction.atomic
def membership_grant(*, actor: User, user: User, organisation: Organisation, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    require(actor, "core.grant_role", (organisation, role))
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": _("The user already has this role in this organisation.")})
    try:
        with transaction.atomic():
            membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    except IntegrityError:
        raise ValidationError({"role": _("The user already has this role in this organisation.")}) from None
    forget_memberships(user)
    audit.record(
        actor=actor,
        action="core.membership.granted",
        target=user,
        helsefellesskap=_community_of(organisation),
        data={"organisation": organisation.pk, "organisation_name": organisation.name, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User, membership: Membership) -> None:
    require(actor, "core.grant_role", (membership.organisation, membership.role))
    if membership.user_id == actor.pk and membership.role in (Role.ADMIN, Role.SECRETARIAT):
        raise ValidationError(_("You cannot remove your own administrative role."))
    organisation, role, user = membership.organisation, membership.role, membership.user
    membership.delete()
    forget_memberships(user)
    audit.record(
        actor=actor,
        action="core.membership.revoked",
        target=user,
        helsefellesskap=_community_of(organisation),
        data={"organisation": organisation.pk, "organisation_name": organisation.name, "role": role},
    )


# --- sign-in through OpenID Connect --------------------------------------------------------------------------------


class SignInRefused(Exception):
    """The provider vouched for a person, but the platform does not let them in; `reason` goes to the audit log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _match_invited_user(provider, claims: dict) -> tuple[User | None, str]:
    """The invited user these claims belong to (by verified e-mail, or by HPR number), and what matched."""
    if provider.match == "hpr":
        hpr = str(claims.get(provider.hpr_claim) or "").strip()
        candidates = list(User.objects.filter(hpr_number=hpr)[:2]) if hpr else []
        matched_by = "hpr_number"
    else:
        email = str(claims.get("email") or "").strip().lower()
        verified = claims.get("email_verified") is True or provider.email_is_verified
        candidates = list(User.objects.filter(email__iexact=email)[:2]) if email and verified else []
        matched_by = "email"
    if len(candidates) != 1:
        return None, matched_by
    return candidates[0], matched_by


def _username_for(claims: dict) -> str:
    base = str(claims.get("preferred_username") or claims.get("email") or "bruker").split("@")[0].lower()
    base = "".join(ch for ch in base if ch.isalnum() or ch in "._-")[:100] or "bruker"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def user_sign_in_external(*, provider, claims: dict) -> User:
    """The user an OpenID Connect identity signs in as: the one it is bound to, else the invited user it matches
    (bound now), else — only where the operator allows it for this provider — a new user with no roles.
    Raises SignInRefused otherwise. Every binding and creation is audited; the log-in itself by the auth signal."""
    issuer, subject = provider.issuer, str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused("no_subject")
    user = User.objects.select_for_update().filter(external_issuer=issuer, external_subject=subject).first()
    if user is None:
        user, matched_by = _match_invited_user(provider, claims)
        if user is not None:
            if user.external_subject:
                raise SignInRefused("bound_to_another_identity")
            user.external_issuer, user.external_subject = issuer, subject
            user.save(update_fields=["external_issuer", "external_subject"])
            audit.record(
                actor=user,
                action="core.user.identity_bound",
                target=user,
                data={"provider": provider.name, "matched_by": matched_by},
            )
        elif provider.create_users:
            user = User(
                username=_username_for(claims),
                email=str(claims.get("email") or "").strip().lower() if claims.get("email_verified") else "",
                first_name=str(claims.get("given_name") or "")[:150],
                last_name=str(claims.get("family_name") or "")[:150],
                external_issuer=issuer,
                external_subject=subject,
            )
            user.set_unusable_password()
            user.save()
            audit.record(
                actor=user, action="core.user.created_from_identity", target=user, data={"provider": provider.name}
            )
        else:
            raise SignInRefused("not_invited")
    if not user.is_active:
        raise SignInRefused("deactivated")
    return user


@transaction.atomic
def user_unbind_identity(*, actor: User, user: User) -> User:
    """Release a user's log-in identity (a new employer, a new Entra tenant): the next sign-in binds again."""
    require(actor, "core.manage_user", user)
    if user.external_subject:
        previous = user.external_issuer
        user.external_issuer, user.external_subject = "", ""
        user.save(update_fields=["external_issuer", "external_subject"])
        audit.record(actor=actor, action="core.user.identity_unbound", target=user, data={"issuer": previous})
    return user


@transaction.atomic
def user_sign_in_failed(*, provider, reason: str) -> None:
    """A sign-in through a provider that did not end in a log-in (a refused token, or a person not invited)."""
    audit.record(actor=None, action="core.user.login_failed", data={"provider": provider.name, "reason": reason})
