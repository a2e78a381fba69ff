from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from {{ cookiecutter.project_slug }}.core.health import run_probes


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when every dependency answers, 503 naming the ones that do not."""
    checks = run_probes()
    failing = sorted(name for name, result in checks.items() if result != "ok")
    status = 503 if failing else 200
    body = {"status": "fail" if failing else "ok", "failing": failing, "checks": checks}
    return JsonResponse(body, status=status)
