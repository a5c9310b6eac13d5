"""The site under test as the benches run it (bench/servers.py): the VCL pointed at the bench's gunicorn."""

from bench.servers import point_backend


def test_point_backend_rewrites_host_and_port():
    vcl = 'backend default {\n  .host = "app.internal";\n  .port = "8000";\n}\n'
    assert (
        point_backend(vcl, "127.0.0.1", 41234) == 'backend default {\n  .host = "127.0.0.1";\n  .port = "41234";\n}\n'
    )
