"""Permission-matrix rows for the directory app's routes (merged by
accounts/tests/test_permission_matrix.py): name → (method, args builder, status per persona).

The directory is read by every role of the circuit (DIRECTORY_VIEW), not by an account
without a role; institutions are maintained by administrators and by their own users; the
provincial diagnostic is for aggregate readers of the territory (supervisor, CPPE)."""

from himaya.accounts.testing import LOGIN, expect, only


def institution(p):
    """The hospital unit of Salé, whose users are the provider persona's organisation."""
    from himaya.directory.testing import build_directory

    if not hasattr(p, "institutions"):
        p.institutions = build_directory(p)
    return p.institutions["hospital_sale"]


READERS_PAGE = expect(200, LOGIN, outsider=403)
READERS_API = expect(200, 401, outsider=403)
AGGREGATES = only({"supervisor_sale": 200, "cppe_sale": 200}, others=403, anonymous=LOGIN)

MATRIX: dict = {
    "directory:list": ("get", None, READERS_PAGE),
    "directory:services": ("get", None, READERS_PAGE),
    "directory:suggest": ("get", None, READERS_PAGE),
    "directory:map": ("get", None, READERS_PAGE),
    "directory:detail": ("get", lambda p: [institution(p).pk], READERS_PAGE),
    "directory:create": ("get", None, only({"admin": 200}, others=403, anonymous=LOGIN)),
    # An empty POST is invalid input (400) for those who maintain this institution.
    "directory:edit": (
        "post",
        lambda p: [institution(p).pk],
        only({"provider_hospital_sale": 400, "admin": 400}, others=403, anonymous=LOGIN),
    ),
    "directory:diagnostic": ("get", None, AGGREGATES),
    "directory:diagnostic_pdf": ("get", None, AGGREGATES),
    "api-services": ("get", None, READERS_API),
    "api-institutions": ("get", None, READERS_API),
    "api-institution": ("get", lambda p: [institution(p).pk], READERS_API),
    # Without the service and the territory the request is invalid (400) for readers.
    "api-institution-suggestions": ("get", None, expect(400, 401, outsider=403)),
}
