"""One message, written for each chat platform's incoming webhooks.

- Slack: Block Kit (a header, a Markdown section, a button that opens the page), with `text` as
  the notification's fallback.
- Microsoft Teams: an Adaptive Card (1.4) in a message attachment, as Teams' incoming webhooks
  and Workflows take it.
- Mattermost: Markdown `text` (a heading, the lines, the link), which its incoming webhooks show
  as written.

Titles and lines are plain text from Learnloop's own records; characters each platform would read
as markup are escaped, so a card titled `<!channel>` or `*bold*` can't ping everyone or restyle
the message.
"""

from dataclasses import dataclass

KINDS = ("slack", "teams", "mattermost")


@dataclass(frozen=True)
class ChatMessage:
    title: str
    lines: tuple[str, ...]
    url: str
    link_label: str = "Open in Learnloop"


def _slack_escape(text: str) -> str:
    # Slack's three control characters in mrkdwn; "<!channel>" becomes harmless text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markdown_escape(text: str) -> str:
    # Mattermost and Teams read Markdown; a leading @ could mention people (@channel, @all).
    for character in "\\`*_[]#|>~":
        text = text.replace(character, "\\" + character)
    return text.replace("@", "@\u200b")


def slack(message: ChatMessage) -> dict:
    body = "\n".join(_slack_escape(line) for line in message.lines)
    blocks = [{"type": "header", "text": {"type": "plain_text", "text": message.title[:150], "emoji": True}}]
    if body:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": body[:3000]}})
    blocks.append({"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": message.link_label}, "url": message.url}]})
    return {"text": _slack_escape(message.title), "blocks": blocks}


def teams(message: ChatMessage) -> dict:
    body = [{"type": "TextBlock", "text": _markdown_escape(message.title), "weight": "Bolder", "size": "Medium",
             "wrap": True}]
    body += [{"type": "TextBlock", "text": _markdown_escape(line), "wrap": True, "spacing": "Small"}
             for line in message.lines]
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard",
            "version": "1.4", "body": body,
            "actions": [{"type": "Action.OpenUrl", "title": message.link_label, "url": message.url}]}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}]}


def mattermost(message: ChatMessage) -> dict:
    lines = [f"#### {_markdown_escape(message.title)}", *(_markdown_escape(line) for line in message.lines),
             f"[{_markdown_escape(message.link_label)}]({message.url})"]
    return {"text": "\n".join(lines)}


def render(kind: str, message: ChatMessage) -> dict:
    return {"slack": slack, "teams": teams, "mattermost": mattermost}[kind](message)
