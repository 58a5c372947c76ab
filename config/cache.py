"""Django's Redis cache, keeping one client object per connection pool.

Django builds a new ``redis.Redis`` client for every cache call; building one registers a
hundred response callbacks, which cost about as much as the round trip to Redis. Every
respondent request makes a few cache calls (questionnaire version, rate counters, the rebuild
window), so the client is built once per pool and reused: it is thread-safe, and the pool
still hands out the connections.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._client(connection_pool=self._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
