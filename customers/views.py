from django.db.models import Q
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .fields import customer_label
from .models import Customer

AUTOCOMPLETE_LIMIT = 20


@require_GET
def autocomplete(request):
    """Customers in the user's scope matching `q` (code prefix or name), as JSON."""
    q = request.GET.get("q", "").strip()[:100]
    results = []
    if q:
        customers = (
            Customer.objects.visible_to(request.user)
            .filter(Q(code__istartswith=q) | Q(name__icontains=q))
            .only("pk", "code", "name", "grade")
            .order_by("code")[:AUTOCOMPLETE_LIMIT]
        )
        results = [
            {
                "id": c.pk,
                "code": c.code,
                "name": c.name,
                "grade": c.grade,
                "label": customer_label(c),
            }
            for c in customers
        ]
    return JsonResponse({"results": results})
