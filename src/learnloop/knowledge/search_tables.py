"""The PostgreSQL search backend's tables: an inverted index kept inside the database.

They are derived data, rebuilt from the entries by `learnloop search rebuild`, so they are
*unmanaged* models: Django's backups, restores, `flush` and the demo's "is this database
empty?" check leave them alone, and migration knowledge.0002 creates them with SQL on PostgreSQL only (with
array and covering-index column types SQLite has no use for). The models document the schema
and let the ORM read them; the backend writes them with SQL in the caller's transaction.

    knowledge_search_document  one row per entry: its analyzed terms with their frequencies
                               (parallel arrays, sorted), its length in terms, and what the
                               filters and visibility need (kind, visibility, author, owner,
                               teams incl. the owning team, tags, review and obsolete dates)
    knowledge_search_posting   (term, entry) → tf, length: the inverted index. Its primary key
                               is (term, entry_id) INCLUDE (tf, length), so reading a term's
                               postings with their BM25 inputs is an index-only scan
    knowledge_search_term      term → document frequency, for idf without counting postings
    knowledge_search_stats     one row: number of documents and their total length (avgdl), and
                               the index format they were written in (documents.INDEX_FORMAT)
"""

from django.db import models


class SearchDocument(models.Model):
    entry_id = models.BigIntegerField(primary_key=True)
    length = models.IntegerField()
    terms = models.TextField()  # text[] on PostgreSQL
    tfs = models.TextField()  # smallint[]
    kind = models.CharField(max_length=20)
    visibility = models.CharField(max_length=20)
    author_id = models.BigIntegerField()
    owner_person_id = models.BigIntegerField(null=True)
    team_ids = models.TextField()  # bigint[]: the entry's teams and its owning team
    tags = models.TextField()  # text[]
    review_due_at = models.DateTimeField()
    obsolete_at = models.DateTimeField(null=True)
    application_count = models.IntegerField()
    updated_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "knowledge_search_document"

    def __str__(self):
        return f"search document of entry {self.entry_id}"


class SearchPosting(models.Model):
    pk = models.CompositePrimaryKey("term", "entry_id")
    term = models.CharField(max_length=64)
    entry_id = models.BigIntegerField()
    tf = models.SmallIntegerField()
    length = models.IntegerField()

    class Meta:
        managed = False
        db_table = "knowledge_search_posting"

    def __str__(self):
        return f"{self.term} in entry {self.entry_id}"


class SearchTerm(models.Model):
    term = models.CharField(max_length=64, primary_key=True)
    document_frequency = models.IntegerField(db_column="df")

    class Meta:
        managed = False
        db_table = "knowledge_search_term"

    def __str__(self):
        return f"{self.term} ({self.document_frequency})"


class SearchStats(models.Model):
    id = models.SmallIntegerField(primary_key=True)
    documents = models.BigIntegerField()
    total_length = models.BigIntegerField()
    format = models.IntegerField(default=0)  # documents.INDEX_FORMAT of the rebuild that wrote it

    class Meta:
        managed = False
        db_table = "knowledge_search_stats"

    def __str__(self):
        return f"{self.documents} search documents"

