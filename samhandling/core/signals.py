"""Log-in, log-out and failed log-ins come from Django's auth signals; they go to the audit log like any change.

A failed attempt records only the username tried, never the password."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import access_cache, audit
from .models import Helsefellesskap, Membership, Organisation


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    method = getattr(request, "samhandling_login_method", "password") if request is not None else "password"
    audit.record(actor=user, action="core.user.logged_in", target=user, data={"method": method})


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        reason = getattr(request, "samhandling_logout_reason", "") if request is not None else ""
        audit.record(actor=user, action="core.user.logged_out", target=user, data={"reason": reason} if reason else {})


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit.record(
        actor=None, action="core.user.login_failed", data={"username": str(credentials.get("username", ""))[:150]}
    )


# --- the access cache (core/access_cache.py): every change that alters what someone may see raises a version ----------


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    access_cache.changed_for_users([instance.user_id])


@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
def _organisation_changed(sender, instance, **kwargs):
    # A new, moved or deactivated unit changes the units under everyone with a role in the same organisation tree.
    root_id = instance.root_id or instance.pk
    access_cache.changed_for_users(
        Membership.objects.filter(organisation__root_id=root_id).values("user_id").distinct()
    )


@receiver(post_save, sender=Helsefellesskap)
@receiver(post_delete, sender=Helsefellesskap)
def _community_changed(sender, instance, **kwargs):
    access_cache.changed_for_everyone()


@receiver(m2m_changed, sender=Helsefellesskap.members.through)
def _community_members_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        access_cache.changed_for_everyone()
