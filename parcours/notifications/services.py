# Stub: the notifications helper replaces this module.
def email_send_rendered(*, to, subject, body_text, body_html="", category="", user=None):
    raise NotImplementedError
