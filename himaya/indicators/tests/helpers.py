from himaya.accounts.testing import make_user


def statistician(personas):
    """A national statistician (aggregate-only), made here so the shared personas stay as they are."""
    return make_user("t.stats", role="statistician", org=personas.orgs["ministry"])
