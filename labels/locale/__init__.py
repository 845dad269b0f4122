"""Translation catalogues for what the labels package prints (reports, labels).

Plain Python dicts rather than gettext ``.mo`` files: they need no build step, ship inside the
package, and a test can check that every language has every key.
"""
