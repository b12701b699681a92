"""Documented JSON of the wider SendKit documentation (PROVIDERS.md, "Second reading"), shared by
the contract tests and the end-to-end variant tests."""

# The lead and the campaign of the documented examples (each document below has its own copy).
LEAD = {
    "_id": "664a1b2c3d4e5f6a7b8c9d01",
    "email": "jane@example.com",
    "firstName": "Jane",
    "lastName": "Doe",
    "companyName": "Acme Inc",
}
CAMPAIGN = {"_id": "664a1b2c3d4e5f6a7b8c9d02", "name": "Q1 Outreach"}

# docs.sendkit.ai get-v1-inbox, newer version: no `page`, `isRead`/`unreadCount` on the row,
# `lastMessage` without `read`, cursor pagination (PROVIDERS.md, second reading). The row is the
# seed's row with those changes.
LIST_V2 = {
    "success": True,
    "data": [
        {
            "id": "664a1b2c3d4e5f6a7b8c9d0e",
            "lead": dict(LEAD),
            "campaign": dict(CAMPAIGN),
            "status": "active",
            "aiTag": "interested",
            "tags": ["vip"],
            "repliedAt": "2024-06-01T14:30:00.000Z",
            "lastMessage": {
                "content": "Thanks for reaching out! I'd love to learn more about...",
                "from": "jane@example.com",
                "receivedAt": "2024-06-01T14:30:00.000Z",
                "isFromLead": True,
            },
            "messageCount": 4,
            "isRead": False,
            "unreadCount": 1,
        }
    ],
    "pagination": {"limit": 20, "total": 25, "hasMore": True, "nextCursor": "664a1b2c3d4e5f6a7b8c9d0e"},
}

# get-v1-inbox-id, older version: no `isRead`, `unreadCount` or `attachments`.
THREAD_OLD = {
    "success": True,
    "data": {
        "id": "664a1b2c3d4e5f6a7b8c9d0e",
        "lead": {**LEAD, "jobTitle": "VP of Sales"},
        "campaign": dict(CAMPAIGN),
        "status": "active",
        "aiTag": "interested",
        "tags": ["vip"],
        "messages": [
            {
                "type": "sent",
                "subject": "Quick question about Acme's growth plans",
                "body": "<p>Hi Jane, I noticed Acme recently...</p>",
                "sentAt": "2024-05-28T10:00:00.000Z",
                "sequenceStep": 1,
                "opened": True,
                "clicked": False,
            },
            {
                "type": "reply",
                "from": "jane@example.com",
                "to": "sales@mycompany.com",
                "subject": "Re: Quick question about Acme's growth plans",
                "content": "Thanks for reaching out! I'd love to learn more.",
                "htmlContent": "<p>Thanks for reaching out! I'd love to learn more.</p>",
                "receivedAt": "2024-06-01T14:30:00.000Z",
                "isFromLead": True,
                "isAutoReply": False,
                "read": False,
            },
        ],
        "scheduledReplies": [
            {
                "_id": "664a1b2c3d4e5f6a7b8c9d10",
                "message": "Great to hear! Let's schedule a call...",
                "scheduledFor": "2024-06-02T09:00:00.000Z",
                "status": "failed",
                "mailboxId": "664a1b2c3d4e5f6a7b8c9d03",
                "createdAt": "2024-06-01T15:00:00.000Z",
            }
        ],
    },
}
