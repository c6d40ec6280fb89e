"""aiogram routers, one per feature; order matters (the fallback router comes last)."""
from aiogram import Router


def build_router() -> Router:
    from handlers import admin, common, complaint, fallback, feedback, officer, status

    root = Router(name="root")
    root.include_routers(common.router, admin.router, officer.router, feedback.router,
                         complaint.router, status.router, fallback.router)
    return root
