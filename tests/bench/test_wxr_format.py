"""WordPress's encodings as the export generator writes them (bench/wxr_format.py): CDATA, slugs, PHP serialize."""

from lxml import etree

from bench.wxr_format import cdata, php_serialize, wp_slug


def test_cdata_survives_its_end_marker():
    root = etree.fromstring(f"<a>{cdata('if (a[b[0]]>1) ]]> done')}</a>".encode())
    assert root.text == "if (a[b[0]]>1) ]]> done"


def test_wordpress_slugs():
    assert wp_slug("Café culture") == "cafe-culture"
    assert wp_slug("Q&amp;A: why it’s late") == "qa-why-its-late"
    assert wp_slug("Łódź") == "lodz"
    assert wp_slug("東京") == "%e6%9d%b1%e4%ba%ac"


def test_php_serialize_counts_bytes():
    assert php_serialize({"file": "a/é.jpg", "width": 5, "sizes": {}}) == (
        'a:3:{s:4:"file";s:8:"a/é.jpg";s:5:"width";i:5;s:5:"sizes";a:0:{}}'
    )
