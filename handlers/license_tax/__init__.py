"""등록면허세 in the chat (``chat``: the resident's notice and payment, the tax officers, the
licensing bodies' chats) and the bank's payment notifications (``http_payments``)."""
