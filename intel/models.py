"""Reference data from outside the candidate record, imported or cached for the checks."""

from django.db import models


class IpRangeList(models.Model):
    """One named category of IP ranges (vpn, datacenter, astrill, tor, ...).

    A re-import replaces the category's ranges in one transaction.
    """

    category = models.SlugField(max_length=50, unique=True)
    source = models.CharField(max_length=500, help_text="Path or URL it was imported from.")
    range_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.category} ({self.range_count} ranges)"


class IpRange(models.Model):
    """One CIDR of a category, as text (IPv4 or IPv6). Look-ups are served from an in-memory
    interval index built from these rows once per worker and rebuilt after an import."""

    range_list = models.ForeignKey(IpRangeList, on_delete=models.CASCADE, related_name="ranges")
    network = models.CharField(max_length=49)


class SanctionsImport(models.Model):
    """One import of the OFAC SDN list (sdn.csv, optionally alt.csv)."""

    source = models.CharField(max_length=500)
    entry_count = models.PositiveIntegerField(default=0)
    alias_count = models.PositiveIntegerField(default=0)
    wallet_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()


class SanctionsEntry(models.Model):
    """An SDN entry kept for screening (at least the North Korea programmes)."""

    ent_num = models.PositiveIntegerField(unique=True, help_text="OFAC's entry number.")
    name = models.CharField(max_length=350)
    sdn_type = models.CharField(max_length=20, blank=True)  # individual, entity, vessel, ...
    programs = models.CharField(max_length=200, blank=True)
    remarks = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class SanctionsName(models.Model):
    """The entry's primary name and each alias, with a normalised form for matching."""

    entry = models.ForeignKey(SanctionsEntry, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(max_length=350)
    normalized = models.CharField(max_length=350, db_index=True)
    is_alias = models.BooleanField(default=False)


class SanctionsWallet(models.Model):
    """A digital currency address from an entry's remarks ("Digital Currency Address - XBT")."""

    entry = models.ForeignKey(SanctionsEntry, on_delete=models.CASCADE, related_name="wallets")
    currency = models.CharField(max_length=20, blank=True)
    # Exact match: wallet addresses are case-sensitive in most currencies.
    address = models.CharField(max_length=128, db_index=True)


class GithubAccount(models.Model):
    """A cached answer of the GitHub users API, so re-scoring does not call GitHub again."""

    username = models.CharField(max_length=100, unique=True)  # lower-cased
    found = models.BooleanField()
    created_at = models.DateTimeField(null=True, blank=True)
    public_repos = models.PositiveIntegerField(null=True, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    fetched_at = models.DateTimeField()


class PhoneLineType(models.Model):
    """A cached line-type answer from the optional provider (Twilio Lookup v2 compatible)."""

    e164 = models.CharField(max_length=20, unique=True)
    line_type = models.CharField(max_length=40, blank=True)  # mobile, landline, nonFixedVoip, ...
    carrier = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField()
