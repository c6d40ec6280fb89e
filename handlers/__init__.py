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
    # imported here, not at the top: importing one handler module must not import them all
    from handlers import common, edits, fallback, group, privacy, staff_links, worklist
    from handlers import food_alerts as foodalert, indicators as reports
    from handlers import new_residents as moving, opinion_days as opinion
    from handlers.admin import audit, broadcast, roles as admin
    from handlers.complaints import (
        answer_templates,
        feedback,
        filing as complaint,
        officer,
        status,
        supplement,
        transfers,
    )
    from handlers.license_tax import chat as license_tax
    from handlers.onestop import birth, death, officer as onestop_officer, resident as onestop

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
