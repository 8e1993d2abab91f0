"""What the service tells its operators: logs, one access line per request, metrics.

Nothing here decides anything about a request. The middleware gives each request an
id and a ``RequestFacts`` record that the routes fill in (sizes, pages, where the
text came from, the error code); the access log line and the HTTP metrics read that
record once the answer is sent. The collectors read the engine pool through the
callables the entry hands them (a ``PoolSnapshot``, the default engine's
``EngineInfo``), never through the web framework's app object.
"""
