"""send_reply and cancel_scheduled_reply: a reply to the conversation's own correspondent, sent
only after the person confirms (see tools/writing/confirm.py). Listed only when an account allows
sending. No argument names a recipient: an instruction hidden in an email cannot add one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from mcp.server.elicitation import AcceptedElicitation, ElicitationResult
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.resolve import Elicit, Resolve
from mcp.types import CallToolResult
from pydantic import Field

from leadinbox_mcp.providers.http import call_deadline
from leadinbox_mcp.providers.provider import Provider
from leadinbox_mcp.providers.writes import NoWrites, Sent, log
from leadinbox_mcp.tools.listing.cursors import cursors_of
from leadinbox_mcp.tools.render.rows import when, who
from leadinbox_mcp.tools.results.result import inbox_of, result
from leadinbox_mcp.tools.results.structured import Out
from leadinbox_mcp.tools.shared.arguments import ConversationId
from leadinbox_mcp.tools.shared.inbox import ToolInputError, full_id, shown
from leadinbox_mcp.tools.shared.since import utc_time
from leadinbox_mcp.tools.writing.access import checked_text, writable, write_by_id, writing_of
from leadinbox_mcp.tools.writing.confirm import (
    CODE_MINUTES,
    SendConfirmation,
    can_ask,
    code_for,
    code_matches,
    idempotency_key,
)

Text = Annotated[str, Field(description="The reply, as plain text (paragraphs separated by a blank line).")]
SendAt = Annotated[
    str | None,
    Field(
        description="When to send, ISO time like 2026-12-01T09:00:00Z (an offset is converted to UTC); only where "
        "the provider schedules (SendKit). Omitted: a few minutes from now there, so that it can be cancelled; "
        "at once elsewhere.",
        max_length=40,
    ),
]
Confirmation = Annotated[
    str | None,
    Field(
        description="Only for a client without confirmation forms: the code from send_reply's preview, after the "
        "person has read the preview and agreed.",
        max_length=20,
    ),
]
ReplyId = Annotated[str, Field(description="The scheduled reply's id (from send_reply or get_thread).", max_length=100)]
MAX_AHEAD = timedelta(days=30)


class SendOut(Out):
    status: Literal["sent", "scheduled", "needs_confirmation", "not_sent"]
    conversation_id: str
    recipient: str | None = None
    reply_id: str | None = None
    scheduled_for: str | None = None
    confirmation_code: str | None = None
    rejected: list[str] = []


@dataclass(frozen=True)
class Plan:
    """One reply, checked, with its recipient as the thread shows it."""

    provider: Provider
    native: str
    writes: NoWrites
    text: str
    send_at: str
    """As given ("" for the default), which the code and the idempotency key bind."""
    at: datetime | None
    recipient: str

    @property
    def thread_id(self) -> str:
        return full_id(self.provider.account, self.native)

    @property
    def parts(self) -> tuple[str, ...]:
        return (self.provider.account, self.native, self.text, self.send_at)

    def when(self, delay: float) -> str:
        if self.writes.sends == "immediate":
            return "at once"
        at = self.at or datetime.now(UTC) + timedelta(seconds=delay)
        return f"at {when(at)} UTC (cancellable until then)"

    def preview(self, delay: float) -> str:
        return (
            f"To: {self.recipient}, in {self.provider.label} conversation {self.thread_id} "
            f"(account {self.provider.account}), {self.when(delay)}.\n---\n{self.text}\n---"
        )


async def plan_of(ctx: Context, conversation_id: str, text: str, send_at: str | None) -> Plan:
    inbox = inbox_of(ctx)
    provider, native, writes = writable(inbox, conversation_id, "send")
    text = checked_text(text)
    if writes.sends is None:
        raise ToolInputError(
            f"{provider.account}: this server does not send through {provider.label}; {writes.instead_of_sending}."
        )
    at = _send_at(send_at, writes)
    # Through the thread cache: the form (asked before the call proper, and again on a retry
    # round) and the call itself read the thread once between them.
    thread = await inbox.recent_thread(provider, native)
    recipient = who(thread.conversation.correspondent, detailed=True)
    return Plan(provider, native, writes, text, (send_at or "").strip(), at, recipient)


def _send_at(value: str | None, writes: NoWrites) -> datetime | None:
    if value is None or not value.strip():
        return None
    if writes.sends == "immediate":
        raise ToolInputError(
            f"{writes.client.label} sends at once and cannot schedule: leave send_at out, or send later."
        )
    try:
        at = utc_time(value.strip())
    except (ValueError, OverflowError):
        raise ToolInputError(f"send_at={shown(value, 40)} is not a time: use ISO like 2026-12-01T09:00:00Z.") from None
    now = datetime.now(UTC)
    if not now + timedelta(minutes=1) <= at <= now + MAX_AHEAD:
        raise ToolInputError(
            f"send_at={shown(value, 40)} must be between a minute and {MAX_AHEAD.days} days from now ({when(now)} UTC)."
        )
    return at


async def ask_person(
    ctx: Context, conversation_id: str, text: str, send_at: str | None
) -> Elicit[SendConfirmation] | None:
    """The confirmation form where the client can show one; None where it cannot (the code applies)."""
    if not can_ask(ctx):
        return None
    plan = await plan_of(ctx, conversation_id, text, send_at)
    return Elicit(f"Send this reply?\n{plan.preview(writing_of(ctx).send_delay)}", SendConfirmation)


async def send_reply(
    ctx: Context,
    conversation_id: ConversationId,
    text: Text,
    answer: Annotated[ElicitationResult[SendConfirmation], Resolve(ask_person)],
    send_at: SendAt = None,
    confirmation: Confirmation = None,
) -> Annotated[CallToolResult, SendOut]:
    """Send a reply to the conversation's lead, from the account and channel of the conversation
    (no other recipient can be added). The person confirms every send: in a form where the client
    shows one, else by approving a second call with the code from this tool's preview. SendKit
    schedules it a few minutes ahead (cancel_scheduled_reply calls it back); SendPilot and
    InboxBase send at once. Read the thread first (get_thread), and do not send on top of a
    reply already scheduled."""
    plan = await plan_of(ctx, conversation_id, text, send_at)
    delay = writing_of(ctx).send_delay
    base = {"conversation_id": plan.thread_id, "recipient": plan.recipient}
    if isinstance(answer, AcceptedElicitation) and answer.data is None:  # no form: a preview, then the code
        key = cursors_of(ctx).key
        if not confirmation:
            code = code_for(key, plan.parts)
            text_out = (
                f"Not sent yet. Show the person this reply and ask them to approve it:\n{plan.preview(delay)}\n"
                f'If they agree, call send_reply again with the same arguments and confirmation="{code}" '
                f"(valid {CODE_MINUTES} minutes, for exactly this text)."
            )
            return result(text_out, SendOut(status="needs_confirmation", confirmation_code=code, **base))
        if not code_matches(key, plan.parts, confirmation):
            raise ToolInputError(
                "That confirmation code is not this reply's: the text, send_at or conversation changed, or it expired. "
                "Call send_reply without confirmation for a new preview."
            )
    elif not (isinstance(answer, AcceptedElicitation) and answer.data.send):
        said = {"decline": "declined", "cancel": "dismissed the confirmation"}.get(answer.action, "did not tick Send")
        log.info("%s: reply not sent in conversation %s (the person %s)", plan.provider.account, plan.native, said)
        return result(f"Not sent: the person {said}. Nothing was sent.", SendOut(status="not_sent", **base))
    at = plan.at
    if plan.writes.sends == "scheduled" and at is None:
        at = datetime.now(UTC) + timedelta(seconds=delay)
    # The send has a deadline of its own: the person may have taken a while to confirm.
    with call_deadline(getattr(ctx.mcp_server, "deadline", 20.0)):
        sent = await plan.writes.send_reply(plan.native, plan.text, at, idempotency_key(plan.parts))
    log.info(
        "%s: reply %s %s in conversation %s",
        plan.provider.account,
        sent.id or "(no id given)",
        "scheduled" if sent.scheduled_for else "sent",
        plan.native,
    )
    return result(*_sent(plan, sent, base))


def _sent(plan: Plan, sent: Sent, base: dict[str, str]) -> tuple[str, SendOut]:
    rejected = f" {plan.provider.label} rejected: {'; '.join(sent.rejected)}." if sent.rejected else ""
    if sent.scheduled_for:
        text = (
            f"Scheduled: the reply to {plan.recipient} goes out at {when(sent.scheduled_for)} UTC from "
            f"{plan.provider.label} (reply id {sent.id})."
        )
        if sent.id:
            text += (
                f' Until then, cancel_scheduled_reply(conversation_id="{plan.thread_id}", reply_id="{sent.id}") '
                "calls it back."
            )
        out = SendOut(
            status="scheduled",
            reply_id=sent.id,
            scheduled_for=sent.scheduled_for.isoformat(),
            rejected=list(sent.rejected),
            **base,
        )
        return text + rejected, out
    ident = f" (message id {sent.id})" if sent.id else ""
    text = f"Sent to {plan.recipient} through {plan.provider.label}{ident}.{rejected}"
    return text, SendOut(status="sent", reply_id=sent.id, rejected=list(sent.rejected), **base)


async def cancel_scheduled_reply(
    ctx: Context, conversation_id: ConversationId, reply_id: ReplyId
) -> Annotated[CallToolResult, SendOut]:
    """Call back a reply that is scheduled and not sent yet (SendKit), so that it never goes out."""
    provider, thread_id, reply_id = await write_by_id(
        ctx,
        conversation_id,
        "send",
        reply_id,
        ("scheduled reply", "get_thread's scheduled replies", "cancelled"),
        lambda w: w.cancel_scheduled_reply,
    )
    text = f"Cancelled: scheduled reply {reply_id} in {provider.label} conversation {thread_id} will not be sent."
    return result(text, SendOut(status="not_sent", conversation_id=thread_id, reply_id=reply_id))
