"""aiogram routers, one per feature; order matters (the fallback router comes last)."""

from aiogram import Router


def _detached(router: Router) -> Router:
    """Routers are module singletons; building the app again in one process (a restart in the
    tests) must take them back from the previous root first."""
    parent = router.parent_router
    if parent is not None:
        parent.sub_routers.remove(router)
        router._parent_router = None
    return router


def build_router() -> Router:
    from handlers import common, edits, fallback, group, privacy, staff_links, worklist
    from handlers.admin import roles as admin
    from handlers.complaints import answer_templates
    from handlers.admin import audit
    from handlers.onestop import birth
    from handlers.admin import broadcast
    from handlers.complaints import filing as complaint
    from handlers.onestop import death
    from handlers.complaints import feedback
    from handlers import food_alerts as foodalert
    from handlers.license_tax import chat as license_tax
    from handlers import new_residents as moving
    from handlers.complaints import officer
    from handlers.onestop import resident as onestop
    from handlers.onestop import officer as onestop_officer
    from handlers import opinion_days as opinion
    from handlers import indicators as reports
    from handlers.complaints import status
    from handlers.complaints import supplement
    from handlers.complaints import transfers

    root = Router(name="root")
    root.include_routers(
        *(
            _detached(m.router)
            for m in (
                group,
                staff_links,
                common,
                privacy,
                admin,
                broadcast,
                audit,
                answer_templates,
                officer,
                supplement,
                transfers,
                worklist,
                feedback,
                complaint,
                status,
                reports,
                foodalert,
                opinion,
                moving,
                birth,
                death,
                onestop,
                onestop_officer,
                license_tax,
                edits,
            )
        )
    )
    root.include_router(_detached(answer_templates.outside))  # an officer's file outside a form
    root.include_router(_detached(fallback.router))
    return root
