-- The catalogue: books, their authors, categories (a tree) and publishers. Files (books,
-- covers) are stored by content hash; the rows keep the hash.
CREATE TABLE publishers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE authors (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    biography TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);

CREATE TABLE categories (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES categories (id) ON DELETE SET NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE books (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    subtitle TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT '',
    isbn TEXT,
    publisher_id TEXT REFERENCES publishers (id) ON DELETE SET NULL,
    published_date TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL CHECK (format IN ('epub', 'pdf')),
    file_hash TEXT NOT NULL UNIQUE,
    file_size BIGINT NOT NULL,
    cover_hash TEXT,
    cover_mime TEXT,
    page_count BIGINT,
    spine_length BIGINT,
    price_amount BIGINT NOT NULL DEFAULT 0 CHECK (price_amount >= 0),
    price_currency TEXT NOT NULL DEFAULT 'XOF',
    featured INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    popularity BIGINT NOT NULL DEFAULT 0,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX books_published ON books (status, created_at DESC, id DESC);
CREATE INDEX books_language ON books (status, language, created_at DESC, id DESC);
CREATE INDEX books_format ON books (status, format, created_at DESC, id DESC);

CREATE TABLE book_authors (
    book_id TEXT NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT 'aut',
    position BIGINT NOT NULL,
    PRIMARY KEY (book_id, author_id, role)
);
CREATE INDEX book_authors_author ON book_authors (author_id);

CREATE TABLE book_categories (
    book_id TEXT NOT NULL REFERENCES books (id) ON DELETE CASCADE,
    category_id TEXT NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    PRIMARY KEY (book_id, category_id)
);
CREATE INDEX book_categories_category ON book_categories (category_id);
