from django.http import HttpRequest, HttpResponse


def _pending(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=404)


stripe_webhook = manage = page = donate = widget = thanks = _pending
