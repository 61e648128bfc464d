"""Template context every page needs: the main menu, the community switcher, the user's manager rights, the demo
notice."""

from django.conf import settings

from .middleware import request_communities
from .navigation import menu_for
from .permissions import managed_communities


def platform(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "demo_notice": settings.SAMHANDLING_DEMO_NOTICE,
            "axes_cooloff_minutes": round(settings.AXES_COOLOFF_TIME * 60),
        }

    current = getattr(request, "helsefellesskap", None)
    return {
        "demo_notice": settings.SAMHANDLING_DEMO_NOTICE,
        "my_communities": lambda: request_communities(request),
        "current_helsefellesskap": current,
        "manages_current": lambda: bool(current) and managed_communities(user).filter(pk=current.pk).exists(),
        "main_menu": lambda: menu_for(request),
        "idle_timeout": settings.SAMHANDLING_IDLE_TIMEOUT,
        "idle_warning": settings.SAMHANDLING_IDLE_WARNING,
    }
