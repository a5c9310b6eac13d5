"""Full-page cache for anonymous readers, with exact invalidation by tags, and purging of the
HTTP caches in front of the app (Varnish, a CDN). See pagecache/cache.py."""
