"""The HTTP API: one NinjaAPI instance under /api/v1/, its error shape, parser and routers.

Versioned by its prefix: a breaking change gets /api/v2/ beside this one.
The OpenAPI schema is at /api/v1/openapi.json; the docs page at /api/v1/docs
when DJANGO_API_DOCS is true (local and test settings turn it on). Reads are
public; writes name their authentication (users/auth.py) and are throttled
(core/api/throttling.py). Every error has the shape of core/api/errors.py.
"""

from django.conf import settings

from {{ cookiecutter.project_slug }}.core.api import errors as api_errors
from {{ cookiecutter.project_slug }}.core.api.parser import BoundedJSONParser
{%- if cookiecutter.include_example_app %}
from {{ cookiecutter.project_slug }}.shop.api import router as shop_router
{%- endif %}
from {{ cookiecutter.project_slug }}.users.api import router as users_router

api = api_errors.ClientLocationsAPI(
    title={{ cookiecutter.project_name | tojson }},
    version="1",
    urls_namespace="api",
    docs_url="/docs" if settings.API_DOCS else None,
    parser=BoundedJSONParser(),
)
api_errors.install(api)
api.add_router("/", users_router)
{%- if cookiecutter.include_example_app %}
api.add_router("/", shop_router)
{%- endif %}
