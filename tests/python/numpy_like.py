"""An integer-like object with __index__, as NumPy's integers are."""


class Index:
    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value
