from django.shortcuts import render

from hall import selectors


def home(request):
    return render(request, "hall/home.html", {"buildings": selectors.buildings_with_facilities()})
