"""Template context every page needs: the main menu, the community switcher, the user's manager rights, the demo
notice."""

from django.conf import settings

from .navigation import menu_for
from .permissions import communities_of, managed_communities


def platform(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "demo_notice": settings.SAMHANDLING_DEMO_NOTICE,
            "axes_cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60),
        }

    def switchable():
        return list(communities_of(user).order_by("name"))

    current = getattr(request, "helsefellesskap", None)
    return {
        "demo_notice": settings.SAMHANDLING_DEMO_NOTICE,
        "my_communities": switchable,
        "current_helsefellesskap": current,
        "manages_current": lambda: bool(current) and managed_communities(user).filter(pk=current.pk).exists(),
        "main_menu": lambda: menu_for(request),
    }
