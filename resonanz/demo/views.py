"""A sample publisher page that embeds the widget, to try the whole loop in the demo."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from resonanz.channels.models import Channel, ChannelKind
from resonanz.demo.content import ARTICLES
from resonanz.demo.loader import DEMO_SLUG


def article(request: HttpRequest, number: int) -> HttpResponse:
    if not 1 <= number <= len(ARTICLES):
        raise Http404("No such article.")
    channel = Channel.objects.filter(workspace__slug=DEMO_SLUG, kind=ChannelKind.WIDGET).first()
    if channel is None:
        raise Http404("The demo workspace is not loaded.")
    key, title = ARTICLES[number - 1]
    return render(
        request,
        "demo/article.html",
        {
            "title": title,
            "thread_key": key,
            "widget_key": channel.public_key,
            "articles": enumerate(ARTICLES, 1),
        },
    )
