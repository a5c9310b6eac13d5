import pytest

# The shared helpers assert too: pytest rewrites their asserts as it does the tests'.
pytest.register_assert_rewrite("tests.contributions.emails.helpers")
