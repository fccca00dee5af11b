"""Importers: archives of other publishing tools turned into Gazette content files.

Each source kind has its module (`wordpress`, `pelican`, `jekyll`, `hugo`) that
reads its input into `common.Item` records without writing anything; `writing`
then checks them as a whole and writes the Markdown files and their images.
The engine never imports this package: importing is a one-off step before a
build, and its only product is files in `content/`.
"""
