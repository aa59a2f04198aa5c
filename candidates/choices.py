"""The label tables of the candidate record: one TextChoices per concept, with the labels
recruiters read and the order the pages use. Plain enums with no database access, so the
checks (which may not touch the database) read them too."""

from django.db import models


class RiskStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SCORED = "scored", "Scored"


class RiskLevel(models.TextChoices):
    """The one table of risk levels, lowest first: templates, charts, the graph, review and
    scoring read labels and order from here."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"

    @classmethod
    def rank(cls, value: str | None) -> int:
        """0 for low up to 3 for critical; -1 for no level (not scored yet)."""
        return cls.values.index(value) if value in cls.values else -1

    @classmethod
    def label_of(cls, value: str | None, default: str = "Not scored") -> str:
        return cls(value).label if value in cls.values else default


class IdentifierKind(models.TextChoices):
    """What two candidates can share. Strong kinds identify one person; weak ones may be
    shared honestly (room-mates share an address, a co-working space shares an IP)."""

    # The one table of identifier kinds, strongest first (the order the graph lays hubs
    # out and lists them in); labels are what recruiters read.
    BANK_ACCOUNT = "bank_account", "Bank account"
    WALLET = "wallet", "Crypto wallet"
    PAYOUT_EMAIL = "payout_email", "Payout account"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    SHIPPING_ADDRESS = "shipping_address", "Shipping address"
    GITHUB = "github", "GitHub account"
    LINKEDIN = "linkedin", "LinkedIn profile"
    GITLAB = "gitlab", "GitLab account"
    STACKOVERFLOW = "stackoverflow", "Stack Overflow profile"
    PORTFOLIO = "portfolio", "Portfolio"
    RESIDENTIAL_ADDRESS = "residential_address", "Home address"
    MAILING_ADDRESS = "mailing_address", "Mailing address"
    IP = "ip", "IP address"

    @classmethod
    def label_of(cls, value: str) -> str:
        return cls(value).label if value in cls.values else value.replace("_", " ").capitalize()


# Kinds honest people share (room-mates, families, offices): weak evidence of one person.
WEAK_IDENTIFIER_KINDS = frozenset({IdentifierKind.RESIDENTIAL_ADDRESS,
                                   IdentifierKind.MAILING_ADDRESS, IdentifierKind.IP})
