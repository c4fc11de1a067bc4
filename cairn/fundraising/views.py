from django.http import HttpRequest, HttpResponse


def _pending(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse(status=404)


page_list = new_page = receipt_settings = detail = edit_page = hosts = remove_host = _pending
donations = offline = refund = _pending
