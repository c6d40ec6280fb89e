from bot.flood import FloodLimitMiddleware


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_window_limits_each_user_separately():
    clock = Clock()
    f = FloodLimitMiddleware(limit=3, window=10, clock=clock)
    assert [f.allow(1) for _ in range(4)] == [True, True, True, False]
    assert f.allow(2)  # another user is not affected
    clock.now += 9.9
    assert not f.allow(1)
    clock.now += 0.2  # the first three have left the window
    assert [f.allow(1) for _ in range(4)] == [True, True, True, False]
