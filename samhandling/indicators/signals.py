"""Forget the kept areas (selectors.municipality_area, district_area) when an organisation or a community changes."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from samhandling.core.models import Helsefellesskap, Organisation

from . import selectors


@receiver(post_save, sender=Organisation)
@receiver(post_delete, sender=Organisation)
@receiver(post_save, sender=Helsefellesskap)
@receiver(post_delete, sender=Helsefellesskap)
@receiver(m2m_changed, sender=Helsefellesskap.members.through)
def _areas_changed(sender, **kwargs) -> None:
    selectors.forget_areas()
