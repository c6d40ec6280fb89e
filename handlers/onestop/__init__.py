"""출생·사망 원스톱 in the chat: ``birth`` and ``death`` (the reports), ``resident`` (what a family
sees and answers), ``officer`` (the sub-requests an office works, outside bodies' 수신 확인)."""
