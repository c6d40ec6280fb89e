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
    from handlers import (
        admin,
        answer_templates,
        audit,
        birth,
        broadcast,
        common,
        complaint,
        death,
        edits,
        fallback,
        feedback,
        foodalert,
        group,
        license_tax,
        moving,
        officer,
        onestop,
        onestop_officer,
        opinion,
        privacy,
        reports,
        staff_links,
        status,
        supplement,
        transfers,
        worklist,
    )

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
