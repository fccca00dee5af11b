# A Pelican configuration written for Gazette's importer tests.
import os

AUTHOR = "News Desk"
SITENAME = "Hill Tracts Herald"
SITEURL = ""
PATH = "content"
TIMEZONE = "Asia/Dhaka"
DEFAULT_LANG = "en"
ARTICLE_URL = "blog/{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"  # computed: the importer does not evaluate it
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
STATIC_PATHS = ["images"]
THEME = os.path.join("themes", "herald")  # never run by the importer
