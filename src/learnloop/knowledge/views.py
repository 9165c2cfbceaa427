"""Knowledge base pages. (Being built: search, entry, editor, history, reviews.)"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def search_page(request):
    return render(request, "knowledge/search.html", {})
