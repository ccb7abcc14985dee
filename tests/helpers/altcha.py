"""A real ALTCHA solution computed in Python, for form posts made with Django's test client."""

import base64
import json

from altcha import Challenge, Payload, solve_challenge
from altcha_django.verifiers import resolve_verifier


def altcha_payload() -> str:
    challenge = Challenge.from_dict(resolve_verifier(None).get_challenge())
    solution = solve_challenge(challenge)
    assert solution is not None, "the test challenge could not be solved"
    payload = Payload(challenge=challenge, solution=solution)
    return base64.b64encode(json.dumps(payload.to_dict()).encode()).decode()
