"""The load test's visitors: locust runs this file for bench/loadtest.py, which says what they do.

bench/loadtest.py passes, in the environment: LOADTEST_CATALOGUE, the URLs to visit (its
catalogue(), bench/catalogue.py); LOADTEST_TALLY, where to write the statuses and accepted posts
at the end; and LOADTEST_CLIENT_ADDRESSES=1 when each visitor may post from its own loopback address.

Every request goes through Visitor.call(): a 5xx or a connection error fails it; bad input (the
Vandal's, with `expect`) also fails when it gets anything but the expected 4xx. Any other status
is a success, counted under its code.

locust loads this file by its path and runs the user classes it names. They live in
bench/locust_visitors.py (Visitor, readers, commenters, contributors, complaint filers) and
bench/locust_vandals.py (the Vandal and the Flooder); what the run counts, in bench/locust_tally.py.
"""

from bench import locust_tally  # noqa: F401  (importing it adds the listeners that count every request)
from bench.locust_vandals import Flooder, Vandal
from bench.locust_visitors import Commenter, ComplaintFiler, Contributor, Reader

__all__ = ["Commenter", "ComplaintFiler", "Contributor", "Flooder", "Reader", "Vandal"]
