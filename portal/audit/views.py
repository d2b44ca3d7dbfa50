from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from portal.audit.models import SecurityEvent

EVENTS_PER_PAGE = 20


@require_GET
@login_required
@vary_on_headers("HX-Request")
def security_log(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user what happened on their account, newest first.

    An htmx request gets only the next rows and the next "load more" button.
    """
    events = SecurityEvent.objects.filter(user=request.user).select_related("actor")
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))

    template = "audit/security_log.html"
    if request.htmx:
        template += "#rows"
    return render(request, template, {"page": page})
