"""Field types every domain's wire shapes share: ids, names, one-line text, region codes."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

__all__ = ["END", "LINE", "MAX_ID", "TEXT", "DepartmentCode", "Id", "Name", "RegionCode", "Text"]

DepartmentCode = Literal[
    "fire_rescue", "commerce", "civil_affairs", "emergency", "education", "health", "culture_tourism", "housing",
    "industry",
]


# Patterns end in END rather than "$", which also matches before a final newline ("owner_1\n" is not owner_1).
# A lookahead rather than "\Z" so the pattern means the same in the OpenAPI document's (ECMA) regex dialect.
END = r"(?![\s\S])"


# Control characters (NUL, escape sequences, C1 codes) have no place in what people read: they cut strings short in
# C code and PDFs, hide text in terminals and logs, and break exports. A name or a title is one line without any; a
# note may also have tabs and line breaks. Added to a str's other constraints: Annotated[str, Meta(...), LINE].
LINE = Meta(pattern=r"^[^\x00-\x1f\x7f-\x9f]*" + END, description="one line, no control characters")


TEXT = Meta(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*" + END,
            description="text; line breaks and tabs allowed, no other control characters")


Text = Annotated[str, Meta(max_length=200), LINE]


Name = Annotated[str, Meta(min_length=1, max_length=200), LINE]


# Every id fits SQLite's 64-bit INTEGER; a larger one is refused at the edge, never reaches SQL.
MAX_ID = 2**63 - 1


Id = Annotated[int, Meta(ge=1, le=MAX_ID)]


RegionCode = Annotated[str, Meta(pattern=r"^\d{6,15}" + END, description="GB/T 2260 code (6 digits) or a finer one")]
