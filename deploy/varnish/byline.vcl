vcl 4.1;
#
# Varnish in front of Byline (Debian 12's varnish 7.1; nothing outside its own vmod std).
#
#   client ── TLS terminator (nginx, hitch; sets X-Forwarded-Proto) ── Varnish ── gunicorn :8000
#
# Anonymous readers get whole pages from here. What may be cached, and for how long, is the app's
# decision: every shareable response carries `Cache-Control: public, max-age=0, s-maxage=N,
# must-revalidate` and a `Cache-Tag` header naming everything the page shows (a12 = article 12,
# c3 = category 3, list, site, ...). On every content change the app purges exactly the pages
# affected (pagecache/purgers.py, BYLINE_VARNISH_URLS): one BAN by tags and one PURGE per changed
# URL. This file only refuses to cache anything personal and keeps one copy per page.
#
# Install:   cp deploy/varnish/byline.vcl /etc/varnish/byline.vcl
# Check it:  varnishd -C -f /etc/varnish/byline.vcl >/dev/null
# Run it:    varnishd -j unix,user=vcache -F -a 127.0.0.1:6081 -T localhost:6082 \
#              -S /etc/varnish/secret -f /etc/varnish/byline.vcl -s malloc,1g
#            (Debian's varnish.service with its ExecStart changed by `systemctl edit varnish`)
# Reload:    systemctl reload varnish (keeps the cache)
# The app:   BYLINE_VARNISH_URLS=http://127.0.0.1:6081, and BYLINE_SITE_URL the public address
#            readers use (its host and scheme are in every PURGE).
#            BYLINE_TRUSTED_PROXIES=127.0.0.1,::1: gunicorn sees every request come from Varnish,
#            so the app takes the reader's address from X-Forwarded-For (below), from us only.
#
# THE CLIENT'S ADDRESS
# varnishd itself appends client.ip, the address that connected to it, to X-Forwarded-For before
# vcl_recv runs, on every request it sends to the app (passed posts included), so this file does
# not touch the header. Behind nginx on this machine, that is nginx's 127.0.0.1 after the reader's
# address nginx appended (deploy/nginx/byline.conf); the app reads the header from the right,
# past its trusted proxies, so whatever a reader wrote into it is never believed.

import std;

# GUNICORN
# The probe asks /healthz/ (200 while the site serves, degraded or not; 503 when the database
# does not answer) with the Host header below, so DJANGO_ALLOWED_HOSTS must include
# "localhost" (or set host_header to the site's public name). Varnish starts with the backend healthy (initial = threshold).
backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .host_header = "localhost";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .probe = {
        .url = "/healthz/";
        .timeout = 2s;
        .interval = 5s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

# WHO MAY PURGE
# The app servers that run Byline (and its task worker, which sends the purges). Add each app
# server's address when they are not on this machine, e.g. "10.0.0.12"; or a subnet, "10.0.0.0"/24.
# client.ip is the address of whoever connected: if a proxy on this machine forwards public traffic
# to Varnish over plain HTTP, that proxy must refuse the PURGE and BAN methods itself (nginx:
# `if ($request_method !~ ^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$) { return 405; }`),
# or speak the PROXY protocol to Varnish (hitch does), so that client.ip is the real client.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # One spelling of the host and the scheme, so that one page is one cache object and the
    # purger's PURGE (which sends the Host and X-Forwarded-Proto of the page's URL) finds it.
    if (req.http.Host) {
        set req.http.Host = std.tolower(regsub(req.http.Host, ":(80|443)$", ""));
    }
    if (req.http.X-Forwarded-Proto != "https") {
        set req.http.X-Forwarded-Proto = "http";
    }
    # And of the query string: tracking parameters never change the page, so campaign links
    # share the one copy (the app's page cache ignores the same ones, pagecache/cache.py); the
    # rest (?page=, ?q=, ?replyto=) are kept, in a fixed order.
    set req.url = regsub(req.url, "#.*$", "");
    if (req.url ~ "[?&](utm_[A-Za-z0-9_]+|fbclid|gclid|msclkid|mc_cid|mc_eid)(=|&|$)") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[A-Za-z0-9_]+|fbclid|gclid|msclkid|mc_cid|mc_eid)(=[^&]*)?(&|$)", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    set req.url = std.querysort(req.url);

    # PURGE /2026/11/some-article/: drop that page (every variant of it) for this Host.
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        return (purge);
    }

    # BAN with `X-Cache-Tags: a12,list`: drop every page whose Cache-Tag names one of the tags.
    # Tags are letters, digits and hyphens, so the list is checked whole and becomes an alternation
    # with nothing to escape. The ban looks at obj.* only, so the ban lurker can apply it in the
    # background instead of each ban waiting for a request to test it.
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.X-Cache-Tags !~ "^[A-Za-z0-9-]+(,[A-Za-z0-9-]+)*$") {
            return (synth(400, "X-Cache-Tags must be a comma-separated list of tags [A-Za-z0-9-]+"));
        }
        if (std.ban("obj.http.Cache-Tag ~ (^|,)(" + regsuball(req.http.X-Cache-Tags, ",", "|") + ")(,|$)")) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }

    # Only reading is cached. Posts, comments, uploads and anything else go straight through.
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    # Never cached, whatever the response says: the admin, the guest-post form and tracking pages,
    # comment posting and the comment form's fresh token (/comments/token/, one per reader: discussion/forms.py),
    # the copyright complaint form, signed draft previews, the health check.
    if (req.url ~ "^/(admin|contribute|comments|copyright/complaint|preview|healthz)(/|\?|$)") {
        return (pass);
    }

    # Editors (Django's session cookie) and anyone with a flash message waiting (the messages
    # cookie) see pages of their own. These are Django's default cookie names
    # (SESSION_COOKIE_NAME, MESSAGES cookie storage).
    if (req.http.Cookie ~ "(^|;)\s*(sessionid|messages)=" || req.http.Authorization) {
        return (pass);
    }
    # Any other cookie (csrftoken, analytics) does not change a public page: without it, every
    # reader shares one copy.
    unset req.http.Cookie;

    # Compression: gzip or nothing (Varnish compresses and stores gzip, and unzips for the rare
    # client without it), so a Vary: Accept-Encoding makes at most two copies.
    if (req.http.Accept-Encoding ~ "gzip") {
        set req.http.Accept-Encoding = "gzip";
    } else {
        unset req.http.Accept-Encoding;
    }

    # Grace: while the app is healthy, a copy whose s-maxage ran out is served for at most 10 s
    # more while a fresh one is fetched; while it is down, for up to 6 hours instead of an error.
    # This bends the app's must-revalidate on purpose: a page only expires by time when an article
    # is scheduled (s-maxage ends at the next publication), and being 10 s late there is harmless.
    # Purged and banned pages are gone, never served in grace.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    # The built-in vcl_recv follows: a request without a Host gets 400, then the cache is looked up.
}

sub vcl_hash {
    # http:// and https:// are cached apart (the app redirects http to https), then the built-in
    # vcl_hash adds the URL and the Host.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    # Personal or one-off responses are not stored: Set-Cookie (sessions, CSRF cookies, messages),
    # Cache-Control private, no-store or no-cache, Vary: *. Hit-for-miss: for 2 minutes requests
    # for that page go to the app without waiting for each other, and the first cacheable answer
    # is stored again.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(^|[,\s])(private|no-store|no-cache)"
        || beresp.http.Vary == "*") {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Only what the app marked as shareable: Varnish takes the lifetime from s-maxage, then max-age
    # (a 0 is not stored). A response without either would get Varnish's default 120 s, untagged
    # and so never purged: not stored either.
    if (!bereq.uncacheable && beresp.http.Cache-Control !~ "(?i)(s-maxage|max-age)=" && !beresp.http.Expires) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.grace = 6h;
    if (!beresp.http.Content-Encoding
        && beresp.http.Content-Type ~ "^(text/|application/(json|xml|rss\+xml|atom\+xml|javascript)|image/svg\+xml)") {
        set beresp.do_gzip = true;
    }
    # The built-in vcl_backend_response follows: it still refuses a lifetime of 0.
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Cache-Tag is for the caches. Kept when a CDN in front asks (Cloudflare sends CF-Ray, reads
    # the tags for its own purge by tag and removes them before its visitors see them), and for
    # whoever sends X-Cache-Debug (tags are only numbers of public things).
    if (!req.http.CF-Ray && !req.http.X-Cache-Debug) {
        unset resp.http.Cache-Tag;
    }
}
