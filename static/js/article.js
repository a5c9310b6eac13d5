// Progressive enhancements of the article page: no third-party code, nothing loaded from elsewhere.
