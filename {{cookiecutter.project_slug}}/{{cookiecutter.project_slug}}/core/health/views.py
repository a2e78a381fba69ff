from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from {{ cookiecutter.project_slug }}.core.health.probes import health_response, run_probes
from {{ cookiecutter.project_slug }}.core.telemetry.query_budget import query_budget


@never_cache
@require_GET
@query_budget(1)
def health(request: HttpRequest) -> JsonResponse:
    """Every dependency, Redis included, for monitoring: 200, or 503 when any fails."""
    return health_response(request, run_probes())
