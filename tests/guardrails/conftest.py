from tests.api.conftest import bearer, token_for  # noqa: F401 - fixtures, shared
