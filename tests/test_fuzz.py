"""Property-based fuzzing of every public URL: no input may produce a server error.

`make test` runs a bounded number of examples (FUZZ_EXAMPLES, default 100, Hypothesis's own
default: a smoke test on every run); `make fuzz` runs 2 x 5,000 on PostgreSQL and prints how
many requests it tried.
"""

import os
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.content import load_content

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
TRIED = {"requests": 0}

LISTS = [
    "/",
    "/members/",
    "/events/",
    "/initiatives/",
    "/dimensions/",
    "/about/",
    "/timeline/",
    "/search/",
    "/events/feed/",
    "/initiatives/feed/",
    "/events/calendar.ics",
    "/members/data.csv",
    "/roles/data.json",
    "/events/data.json",
    "/initiatives/data.csv",
    "/index.php",
    "/news_detail/",
]
DETAIL_PREFIXES = ["/members/", "/events/", "/initiatives/", "/dimensions/"]
KNOWN_PARAMS = [
    "all",
    "member",
    "t",
    "newsid",
    "view",
    "dimension",
    "status",
    "region",
    "role",
    "q",
    "page",
    "kind",
    "year",
    "host",
    "when",
    "chairmanship",
    "proposed_by",
]
REAL_VALUES = [
    "economic",
    "member",
    "central-asia",
    "coordinator",
    "summit",
    "2022",
    "kazakhstan",
    "upcoming",
    "kazakhstan-2020-2024",
    "achieved",
    "last",
    "1",
    "2",
]

HOSTILE = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "' OR 1=1 --",
        "'; DROP TABLE members_member; --",
        '"><script>alert(1)</script>',
        "<img src=x onerror=alert(1)>",
        "{{ 7*7 }}",
        "{% debug %}",
        "%00",
        "../../etc/passwd",
        "9" * 400,
        "-9223372036854775809",
        "1e308",
        "NaN",
        "Infinity",
        "0x1F",
        "\ud7ff\ue000",
        "Türkiye",
        "Казахстан",
        "中国",
        "🇰🇿",
        "\u202e",
        " ",
        "",
    ]
)
NUMBERS = st.integers(min_value=-(10**30), max_value=10**30).map(str)
VALUES = st.one_of(HOSTILE, NUMBERS, st.sampled_from(REAL_VALUES), st.text(max_size=300))
PARAMS = st.lists(
    st.tuples(st.one_of(st.sampled_from(KNOWN_PARAMS), st.text(min_size=1, max_size=20)), VALUES), max_size=6
)
SEGMENT = st.one_of(HOSTILE, st.text(min_size=1, max_size=200), st.sampled_from(REAL_VALUES))


class PublicUrlFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        print(f"\nfuzz: {TRIED['requests']} requests tried, 0 server errors")

    def check(self, path, params):
        query = urlencode(params, doseq=True)
        response = self.client.get(f"{path}?{query}" if query else path)
        TRIED["requests"] += 1
        self.assertLess(response.status_code, 500, f"{path}?{query}")

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(path=st.sampled_from(LISTS), params=PARAMS)
    def test_list_pages_with_any_query(self, path, params):
        self.check(path, params)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(prefix=st.sampled_from(DETAIL_PREFIXES), segment=SEGMENT, params=PARAMS)
    def test_detail_pages_with_any_path_segment(self, prefix, segment, params):
        self.check(prefix + quote(segment, safe="") + "/", params)
