"""The staff console: server-rendered pages and a JSON API for village officials,
officers and admins (aiohttp, aiohttp-jinja2, aiohttp-session). No SQL and no
business rules here: every handler calls one service of ``bot.services``."""
