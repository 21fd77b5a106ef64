//! The catalogue on SQLite and PostgreSQL: the same statements for both.

use super::port::{BookMetadata, CatalogStore, NewBook, Start};
use crate::catalog::{Book, BookFilter, BookPage, BookStatus, CategoryRef, Contributor, Format, Money, Offer, PublisherRef, Sort};
use crate::clock::{from_ms, now_ms};
use crate::store::rows::flag;
use crate::store::sql::{bind_all, conflict_or, Bind, Params, SqlStore};
use crate::store::{StoreError, StoreResult, Tx};
use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

const BOOK_COLUMNS: &str = "b.id, b.title, b.subtitle, b.description, b.language, b.isbn, b.publisher_id, \
    p.name AS publisher_name, b.published_date, b.format, b.file_hash, b.file_size, b.cover_hash, b.page_count, \
    b.spine_length, b.price_amount, b.price_currency, b.featured, b.premium, b.status, b.created_at, b.popularity, b.subjects, \
    b.rating_count, b.rating_sum";
const FROM_BOOKS: &str = "FROM books b LEFT JOIN publishers p ON p.id = b.publisher_id";

fn book_from_row(r: &AnyRow) -> StoreResult<Book> {
    let format: String = r.try_get("format")?;
    let status: String = r.try_get("status")?;
    let publisher_id: Option<String> = r.try_get("publisher_id")?;
    let publisher_name: Option<String> = r.try_get("publisher_name")?;
    let page_count: Option<i64> = r.try_get("page_count")?;
    let spine: Option<i64> = r.try_get("spine_length")?;
    let size: i64 = r.try_get("file_size")?;
    Ok(Book {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        subtitle: r.try_get("subtitle")?,
        description: r.try_get("description")?,
        language: r.try_get("language")?,
        isbn: r.try_get("isbn")?,
        publisher: publisher_id.zip(publisher_name).map(|(id, name)| PublisherRef { id, name }),
        published_date: r.try_get("published_date")?,
        authors: Vec::new(),
        categories: Vec::new(),
        format: Format::parse(&format).ok_or_else(|| StoreError::Corrupt(format!("format {format}")))?,
        file_hash: r.try_get("file_hash")?,
        file_size: size.max(0) as u64,
        cover_hash: r.try_get("cover_hash")?,
        page_count: page_count.map(|n| n.max(0) as u32),
        spine_length: spine.map(|n| n.max(0) as u32),
        price: Money { amount: r.try_get("price_amount")?, currency: r.try_get("price_currency")? },
        featured: flag(r, "featured")?,
        premium: flag(r, "premium")?,
        status: BookStatus::from_stored(&status),
        created_at: from_ms(r.try_get("created_at")?),
        popularity: r.try_get("popularity")?,
        rating_count: r.try_get::<i64, _>("rating_count")?.clamp(0, u32::MAX as i64) as u32,
        rating_sum: r.try_get::<i64, _>("rating_sum")?.max(0) as u64,
        subjects: r.try_get::<String, _>("subjects")?.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect(),
    })
}

impl SqlStore {
    /// Puts a book in each category of `paths` (made when missing).
    async fn link_categories(&self, tx: &mut sqlx::AnyConnection, book_id: &str, paths: &[Vec<String>], now_ms: i64) -> StoreResult<()> {
        for path in paths {
            let category = self.category_path(tx, path, now_ms).await?;
            bind_all(
                sqlx::query("INSERT INTO book_categories (book_id, category_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"),
                vec![Bind::Text(book_id), Bind::Text(&category)],
            )
            .execute(&mut *tx)
            .await?;
        }
        Ok(())
    }

    /// The category at the end of `path` (`[Fiction, Romans]`), made with its parents when
    /// missing. A name is found by its slug wherever it stands in the tree; a new one goes under
    /// the path's previous name.
    async fn category_path(&self, tx: &mut sqlx::AnyConnection, path: &[String], now_ms: i64) -> StoreResult<String> {
        let mut parent: Option<String> = None;
        for name in path {
            let slug = crate::catalog::slug(name);
            // By its name first (a renamed category keeps its old slug), else by slug.
            let sql = "SELECT id FROM categories WHERE name = $1 OR slug = $2 ORDER BY CASE WHEN name = $3 THEN 0 ELSE 1 END, id LIMIT 1";
            let found =
                bind_all(sqlx::query(sql), vec![Bind::Text(name), Bind::Text(&slug), Bind::Text(name)]).fetch_optional(&mut *tx).await?;
            let id = match found {
                Some(r) => r.try_get::<String, _>(0)?,
                None => {
                    let id = uuid::Uuid::now_v7().to_string();
                    insert_category(tx, &id, parent.as_deref(), &slug, name, now_ms).await.map_err(|e| conflict_or(e, "category"))?;
                    id
                }
            };
            parent = Some(id);
        }
        parent.ok_or_else(|| StoreError::Corrupt("empty category path".into()))
    }

    async fn name_id(&self, tx: &mut sqlx::AnyConnection, table: &str, name: &str) -> StoreResult<String> {
        let insert = format!("INSERT INTO {table} (id, name, name_key, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING");
        let id = uuid::Uuid::now_v7().to_string();
        let key = name_key(name);
        bind_all(sqlx::query(&insert), vec![Bind::Text(&id), Bind::Text(name), Bind::Text(&key), Bind::Int(now_ms())])
            .execute(&mut *tx)
            .await?;
        let select = format!("SELECT id FROM {table} WHERE name = $1");
        Ok(sqlx::query(&select).bind(name.to_owned()).fetch_one(&mut *tx).await?.try_get("id")?)
    }

    /// Links a book to its contributors, in order, creating authors that are new.
    async fn link_contributors(&self, tx: &mut sqlx::AnyConnection, book_id: &str, contributors: &[(String, String)]) -> StoreResult<()> {
        for (position, (name, role)) in contributors.iter().enumerate() {
            let author_id = self.name_id(tx, "authors", name).await?;
            let sql = "INSERT INTO book_authors (book_id, author_id, role, position) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
            bind_all(sqlx::query(sql), vec![Bind::Text(book_id), Bind::Text(&author_id), Bind::Text(role), Bind::Int(position as i64)])
                .execute(&mut *tx)
                .await?;
        }
        Ok(())
    }

    async fn publisher_id(&self, tx: &mut sqlx::AnyConnection, name: Option<&str>) -> StoreResult<Option<String>> {
        match name.map(str::trim).filter(|p| !p.is_empty()) {
            Some(name) => Ok(Some(self.name_id(tx, "publishers", name).await?)),
            None => Ok(None),
        }
    }

    async fn load_book(&self, conn: &mut sqlx::AnyConnection, id: &str) -> StoreResult<Option<Book>> {
        let sql = format!("SELECT {BOOK_COLUMNS} {FROM_BOOKS} WHERE b.id = $1");
        let Some(row) = sqlx::query(&sql).bind(id.to_owned()).fetch_optional(&mut *conn).await? else { return Ok(None) };
        let mut books = vec![book_from_row(&row)?];
        self.attach_relations(conn, &mut books).await?;
        Ok(books.pop())
    }

    async fn load_listed(
        &self,
        conn: &mut sqlx::AnyConnection,
        kind: crate::catalog::Listing,
        id: &str,
    ) -> StoreResult<Option<crate::catalog::Listed>> {
        use crate::catalog::Listing;
        let sql = match kind {
            Listing::Authors => "SELECT id, name, biography AS detail, CAST(NULL AS TEXT) AS parent_id, photo_hash AS photo, 0 AS books FROM authors WHERE id = $1",
            Listing::Publishers => "SELECT id, name, '' AS detail, CAST(NULL AS TEXT) AS parent_id, CAST(NULL AS TEXT) AS photo, 0 AS books FROM publishers WHERE id = $1",
            Listing::Categories => "SELECT id, name, slug AS detail, parent_id, CAST(NULL AS TEXT) AS photo, 0 AS books FROM categories WHERE id = $1",
        };
        let row = sqlx::query(sql).bind(id.to_owned()).fetch_optional(conn).await?;
        row.as_ref().map(listed_from_row).transpose()
    }

    /// Fills in the authors and categories of `books`.
    async fn attach_relations(&self, conn: &mut sqlx::AnyConnection, books: &mut [Book]) -> StoreResult<()> {
        if books.is_empty() {
            return Ok(());
        }
        let mut params = Params { binds: Vec::new() };
        let ids: Vec<String> = books.iter().map(|b| b.id.clone()).collect();
        let list = ids.iter().map(|id| params.push(Bind::Text(id))).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT ba.book_id, a.id, a.name, ba.role FROM book_authors ba JOIN authors a ON a.id = ba.author_id \
             WHERE ba.book_id IN ({list}) ORDER BY ba.book_id, ba.position"
        );
        let rows = bind_all(sqlx::query(&sql), params.binds).fetch_all(&mut *conn).await?;
        let mut authors: HashMap<String, Vec<Contributor>> = HashMap::new();
        for r in rows {
            authors.entry(r.try_get("book_id")?).or_default().push(Contributor {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                role: r.try_get("role")?,
            });
        }
        let mut params = Params { binds: Vec::new() };
        let list = ids.iter().map(|id| params.push(Bind::Text(id))).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT bc.book_id, c.id, c.slug, c.name FROM book_categories bc JOIN categories c ON c.id = bc.category_id \
             WHERE bc.book_id IN ({list}) ORDER BY c.name"
        );
        let rows = bind_all(sqlx::query(&sql), params.binds).fetch_all(&mut *conn).await?;
        let mut categories: HashMap<String, Vec<CategoryRef>> = HashMap::new();
        for r in rows {
            categories.entry(r.try_get("book_id")?).or_default().push(CategoryRef {
                id: r.try_get("id")?,
                slug: r.try_get("slug")?,
                name: r.try_get("name")?,
            });
        }
        for b in books.iter_mut() {
            b.authors = authors.remove(&b.id).unwrap_or_default();
            b.categories = categories.remove(&b.id).unwrap_or_default();
        }
        Ok(())
    }
}

#[async_trait]
impl CatalogStore for SqlStore {
    async fn insert_book(&self, tx: &mut Tx, new: &NewBook) -> StoreResult<()> {
        let b = &new.book;
        let tx = tx.conn();
        let publisher_id = self.publisher_id(tx, new.publisher.as_deref()).await?;
        let created = b.created_at.timestamp_millis();
        let published_at = (b.status == BookStatus::Published).then_some(created);
        let sql = "INSERT INTO books (id, title, subtitle, description, language, isbn, publisher_id, published_date, \
             format, file_hash, file_size, cover_hash, cover_mime, page_count, spine_length, price_amount, price_currency, \
             featured, status, published_at, created_at, updated_at, sort_title, subjects) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21, $22, $23)";
        let sort_title = sort_key(&b.title);
        let subjects = b.subjects.join("\n");
        let binds = vec![
            Bind::Text(&b.id),
            Bind::Text(&b.title),
            Bind::Text(&b.subtitle),
            Bind::Text(&b.description),
            Bind::Text(&b.language),
            Bind::OptText(b.isbn.as_deref()),
            Bind::OptText(publisher_id.as_deref()),
            Bind::Text(&b.published_date),
            Bind::Text(b.format.as_str()),
            Bind::Text(&b.file_hash),
            Bind::Int(b.file_size as i64),
            Bind::OptText(b.cover_hash.as_deref()),
            Bind::OptText(new.cover_mime.as_deref()),
            Bind::OptInt(b.page_count.map(i64::from)),
            Bind::OptInt(b.spine_length.map(i64::from)),
            Bind::Int(b.price.amount),
            Bind::Text(&b.price.currency),
            Bind::Bool(b.featured),
            Bind::Text(b.status.as_str()),
            Bind::OptInt(published_at),
            Bind::Int(created),
            Bind::Text(&sort_title),
            Bind::Text(&subjects),
        ];
        bind_all(sqlx::query(sql), binds).execute(&mut *tx).await.map_err(|e| conflict_or(e, "file_hash"))?;
        self.link_contributors(tx, &b.id, &new.contributors).await?;
        if let Some(paths) = &new.categories {
            self.link_categories(tx, &b.id, paths, created).await?;
        }
        Ok(())
    }

    async fn update_book_metadata(&self, tx: &mut Tx, id: &str, m: &BookMetadata, now_ms: i64) -> StoreResult<bool> {
        let tx = tx.conn();
        let publisher_id = self.publisher_id(tx, m.publisher.as_deref()).await?;
        let sql = "UPDATE books SET title = $2, subtitle = $3, description = $4, language = $5, isbn = $6, \
                   published_date = $7, publisher_id = $8, updated_at = $9, sort_title = $10 WHERE id = $1";
        let sort_title = sort_key(&m.title);
        let binds = vec![
            Bind::Text(id),
            Bind::Text(&m.title),
            Bind::Text(&m.subtitle),
            Bind::Text(&m.description),
            Bind::Text(&m.language),
            Bind::OptText(m.isbn.as_deref()),
            Bind::Text(&m.published_date),
            Bind::OptText(publisher_id.as_deref()),
            Bind::Int(now_ms),
            Bind::Text(&sort_title),
        ];
        if bind_all(sqlx::query(sql), binds).execute(&mut *tx).await?.rows_affected() != 1 {
            return Ok(false);
        }
        bind_all(sqlx::query("DELETE FROM book_authors WHERE book_id = $1"), vec![Bind::Text(id)]).execute(&mut *tx).await?;
        self.link_contributors(tx, id, &m.contributors).await?;
        if let Some(paths) = &m.categories {
            bind_all(sqlx::query("DELETE FROM book_categories WHERE book_id = $1"), vec![Bind::Text(id)]).execute(&mut *tx).await?;
            self.link_categories(tx, id, paths, now_ms).await?;
        }
        Ok(true)
    }

    async fn book_by_id(&self, id: &str) -> StoreResult<Option<Book>> {
        self.load_book(&mut *self.pool().acquire().await?, id).await
    }

    async fn books_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Book>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut p = Params { binds: Vec::new() };
        let list = ids.iter().map(|id| p.push(Bind::Text(id))).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT {BOOK_COLUMNS} {FROM_BOOKS} WHERE b.id IN ({list})");
        let mut conn = self.pool().acquire().await?;
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(&mut *conn).await?;
        let mut books = rows.iter().map(book_from_row).collect::<StoreResult<Vec<_>>>()?;
        self.attach_relations(&mut conn, &mut books).await?;
        let place: HashMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
        books.sort_by_key(|b| place.get(b.id.as_str()).copied().unwrap_or(usize::MAX));
        Ok(books)
    }

    async fn book_in(&self, tx: &mut Tx, id: &str) -> StoreResult<Option<Book>> {
        self.load_book(tx.conn(), id).await
    }

    async fn book_id_by_file_hash(&self, hash: &str) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT id FROM books WHERE file_hash = $1").bind(hash.to_owned()).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get::<String, _>("id")).transpose()?)
    }

    async fn cover_mime(&self, hash: &str) -> StoreResult<Option<String>> {
        let sql = "SELECT cover_mime AS mime FROM books WHERE cover_hash = $1 \
                   UNION ALL SELECT photo_mime AS mime FROM authors WHERE photo_hash = $2 LIMIT 1";
        let row = bind_all(sqlx::query(sql), vec![Bind::Text(hash), Bind::Text(hash)]).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| r.try_get::<Option<String>, _>("mime")).transpose()?.flatten())
    }

    async fn listing(
        &self,
        kind: crate::catalog::Listing,
        editors: bool,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<crate::catalog::Listed>, u64)> {
        use crate::catalog::Listing;
        let published = if editors { "" } else { " AND b.status = 'published'" };
        // Readers see authors and publishers with published books (inner joins); editors see
        // every one (outer joins). Categories are all listed, with what they hold counted.
        let join = if editors { "LEFT JOIN" } else { "JOIN" };
        // (columns, from and joins, grouping)
        let (columns, from, group) = match kind {
            Listing::Authors => (
                "a.id AS id, a.name AS name, a.biography AS detail, CAST(NULL AS TEXT) AS parent_id, a.photo_hash AS photo",
                format!("authors a {join} book_authors ba ON ba.author_id = a.id {join} books b ON b.id = ba.book_id{published}"),
                "a.id, a.name, a.biography, a.photo_hash",
            ),
            Listing::Publishers => (
                "pu.id AS id, pu.name AS name, '' AS detail, CAST(NULL AS TEXT) AS parent_id, CAST(NULL AS TEXT) AS photo",
                format!("publishers pu {join} books b ON b.publisher_id = pu.id{published}"),
                "pu.id, pu.name",
            ),
            Listing::Categories => (
                "c.id AS id, c.name AS name, c.slug AS detail, c.parent_id AS parent_id, CAST(NULL AS TEXT) AS photo",
                format!(
                    "categories c LEFT JOIN book_categories bc ON bc.category_id = c.id LEFT JOIN books b ON b.id = bc.book_id{published}"
                ),
                "c.id, c.name, c.slug, c.parent_id",
            ),
        };
        let table = match kind {
            Listing::Authors => "a",
            Listing::Publishers => "pu",
            Listing::Categories => "c",
        };
        // Folded keys on both sides: `émile` finds "Émile" on SQLite too (its LOWER is ASCII only).
        let pattern = name.map(str::trim).filter(|n| !n.is_empty()).map(|n| format!("%{}%", crate::store::sql::escape_like(&name_key(n))));
        let mut p = Params { binds: Vec::new() };
        let filter = match &pattern {
            Some(pat) => format!(" WHERE {table}.name_key LIKE {} ESCAPE '\\'", p.push(Bind::Text(pat))),
            None => String::new(),
        };
        let count_binds = p.binds.clone();
        let (lim, off) = (p.push(Bind::Int(i64::from(limit.clamp(1, 500)))), p.push(Bind::Int(offset.min(i64::MAX as u64) as i64)));
        let sql = format!("SELECT {columns}, COUNT(DISTINCT b.id) AS books FROM {from}{filter} GROUP BY {group} ORDER BY name, id LIMIT {lim} OFFSET {off}");
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        let list = rows.iter().map(listed_from_row).collect::<StoreResult<Vec<_>>>()?;
        let count = format!("SELECT COUNT(DISTINCT {table}.id) AS n FROM {from}{filter}");
        let total: i64 = bind_all(sqlx::query(&count), count_binds).fetch_one(self.pool()).await?.try_get("n")?;
        Ok((list, total.max(0) as u64))
    }

    async fn listed(&self, kind: crate::catalog::Listing, id: &str) -> StoreResult<Option<crate::catalog::Listed>> {
        self.load_listed(&mut *self.pool().acquire().await?, kind, id).await
    }

    async fn listed_in(&self, tx: &mut Tx, kind: crate::catalog::Listing, id: &str) -> StoreResult<Option<crate::catalog::Listed>> {
        self.load_listed(tx.conn(), kind, id).await
    }

    async fn add_category(&self, tx: &mut Tx, id: &str, name: &str, slug: &str, parent_id: Option<&str>, now_ms: i64) -> StoreResult<()> {
        insert_category(tx.conn(), id, parent_id, slug, name, now_ms).await.map_err(|e| conflict_or(e, "slug"))?;
        Ok(())
    }

    async fn update_entry(&self, tx: &mut Tx, kind: crate::catalog::Listing, e: &crate::catalog::Listed) -> StoreResult<bool> {
        use crate::catalog::Listing;
        let key = name_key(&e.name);
        let (sql, binds, what) = match kind {
            Listing::Authors => (
                "UPDATE authors SET name = $2, name_key = $3, biography = $4 WHERE id = $1",
                vec![Bind::Text(&e.id), Bind::Text(&e.name), Bind::Text(&key), Bind::Text(&e.detail)],
                "name",
            ),
            Listing::Publishers => (
                "UPDATE publishers SET name = $2, name_key = $3 WHERE id = $1",
                vec![Bind::Text(&e.id), Bind::Text(&e.name), Bind::Text(&key)],
                "name",
            ),
            Listing::Categories => (
                "UPDATE categories SET name = $2, name_key = $3, slug = $4, parent_id = $5 WHERE id = $1",
                vec![
                    Bind::Text(&e.id),
                    Bind::Text(&e.name),
                    Bind::Text(&key),
                    Bind::Text(&e.detail),
                    Bind::OptText(e.parent_id.as_deref()),
                ],
                "slug",
            ),
        };
        let done = bind_all(sqlx::query(sql), binds).execute(tx.conn()).await.map_err(|err| conflict_or(err, what))?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_author_photo(&self, tx: &mut Tx, id: &str, photo: Option<(&str, &str)>) -> StoreResult<bool> {
        let (hash, mime) = photo.unzip();
        let sql = "UPDATE authors SET photo_hash = $2, photo_mime = $3 WHERE id = $1";
        let done = bind_all(sqlx::query(sql), vec![Bind::Text(id), Bind::OptText(hash), Bind::OptText(mime)]).execute(tx.conn()).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_entry(&self, tx: &mut Tx, kind: crate::catalog::Listing, id: &str) -> StoreResult<bool> {
        use crate::catalog::Listing;
        let tx = tx.conn();
        let table = match kind {
            Listing::Authors => "authors",
            Listing::Publishers => "publishers",
            Listing::Categories => {
                let sql = "UPDATE categories SET parent_id = (SELECT parent_id FROM categories WHERE id = $1) WHERE parent_id = $2";
                bind_all(sqlx::query(sql), vec![Bind::Text(id), Bind::Text(id)]).execute(&mut *tx).await?;
                "categories"
            }
        };
        // Books' links go with it (cascade); a publisher's books keep no publisher (set null).
        let done = bind_all(sqlx::query(&format!("DELETE FROM {table} WHERE id = $1")), vec![Bind::Text(id)]).execute(&mut *tx).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn merge_entry(&self, tx: &mut Tx, kind: crate::catalog::Listing, from: &str, into: &str) -> StoreResult<bool> {
        use crate::catalog::Listing;
        let (statements, table): (&[&str], &str) = match kind {
            Listing::Authors => (
                &[
                    // A book already by `into` in the same role keeps that link; `from`'s goes
                    // with `from` (cascade).
                    "UPDATE book_authors SET author_id = $2 WHERE author_id = $1 AND NOT EXISTS \
                     (SELECT 1 FROM book_authors x WHERE x.book_id = book_authors.book_id AND x.author_id = $2 AND x.role = book_authors.role)",
                    "UPDATE authors SET \
                     biography = CASE WHEN biography = '' THEN (SELECT f.biography FROM authors f WHERE f.id = $1) ELSE biography END, \
                     photo_mime = CASE WHEN photo_hash IS NULL THEN (SELECT f.photo_mime FROM authors f WHERE f.id = $1) ELSE photo_mime END, \
                     photo_hash = COALESCE(photo_hash, (SELECT f.photo_hash FROM authors f WHERE f.id = $1)) WHERE id = $2",
                ],
                "authors",
            ),
            Listing::Publishers => (&["UPDATE books SET publisher_id = $2 WHERE publisher_id = $1"], "publishers"),
            Listing::Categories => (
                &[
                    "UPDATE book_categories SET category_id = $2 WHERE category_id = $1 AND NOT EXISTS \
                     (SELECT 1 FROM book_categories x WHERE x.book_id = book_categories.book_id AND x.category_id = $2)",
                    // Its subcategories go under the category kept (never itself: refused before).
                    "UPDATE categories SET parent_id = $2 WHERE parent_id = $1 AND id <> $2",
                ],
                "categories",
            ),
        };
        let tx = tx.conn();
        for sql in statements {
            bind_all(sqlx::query(sql), vec![Bind::Text(from), Bind::Text(into)]).execute(&mut *tx).await?;
        }
        let done = bind_all(sqlx::query(&format!("DELETE FROM {table} WHERE id = $1")), vec![Bind::Text(from)]).execute(&mut *tx).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn entry_book_ids(&self, kind: crate::catalog::Listing, id: &str) -> StoreResult<Vec<String>> {
        use crate::catalog::Listing;
        let sql = match kind {
            Listing::Authors => "SELECT DISTINCT book_id AS id FROM book_authors WHERE author_id = $1",
            Listing::Publishers => "SELECT id FROM books WHERE publisher_id = $1",
            Listing::Categories => "SELECT book_id AS id FROM book_categories WHERE category_id = $1",
        };
        let rows = sqlx::query(sql).bind(id.to_owned()).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("id")?)).collect()
    }

    async fn audit_log(
        &self,
        filter: &crate::audit::AuditFilter,
        before: Option<(i64, String)>,
        limit: u32,
    ) -> StoreResult<Vec<crate::audit::AuditEntry>> {
        let mut p = Params { binds: Vec::new() };
        let mut sql = String::from(
            "SELECT id, at, actor_id, actor_email, action, target_id, target_label, before_json, after_json, ip FROM audit_log WHERE 1 = 1",
        );
        if let Some(a) = filter.action {
            sql.push_str(&format!(" AND action = {}", p.push(Bind::Text(a.as_str()))));
        }
        let pattern = filter.actor.as_ref().map(|a| format!("%{}%", crate::store::sql::escape_like(&a.to_lowercase())));
        if let Some(pat) = &pattern {
            sql.push_str(&format!(" AND LOWER(actor_email) LIKE {} ESCAPE '\\'", p.push(Bind::Text(pat))));
        }
        if let Some(t) = &filter.target {
            sql.push_str(&format!(" AND target_id = {}", p.push(Bind::Text(t))));
        }
        if let Some((ms, id)) = &before {
            let (a, c) = (p.push(Bind::Int(*ms)), p.push(Bind::Text(id)));
            sql.push_str(&format!(" AND (at, id) < ({a}, {c})"));
        }
        let lim = p.push(Bind::Int(i64::from(limit.clamp(1, 200))));
        sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT {lim}"));
        let rows = bind_all(sqlx::query(&sql), p.binds).fetch_all(self.pool()).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let action: String = r.try_get("action")?;
            out.push(crate::audit::AuditEntry {
                id: r.try_get("id")?,
                at: from_ms(r.try_get("at")?),
                actor_id: r.try_get("actor_id")?,
                actor_email: r.try_get("actor_email")?,
                action: crate::audit::AuditAction::parse(&action).ok_or_else(|| StoreError::Corrupt(format!("audit action {action}")))?,
                target_id: r.try_get("target_id")?,
                target_label: r.try_get("target_label")?,
                before: r.try_get("before_json")?,
                after: r.try_get("after_json")?,
                ip: r.try_get("ip")?,
            });
        }
        Ok(out)
    }

    async fn delete_book(&self, tx: &mut Tx, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM books WHERE id = $1").bind(id.to_owned()).execute(tx.conn()).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn book_has_entitlements(&self, tx: &mut Tx, id: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM entitlements WHERE book_id = $1 LIMIT 1")
            .bind(id.to_owned())
            .fetch_optional(tx.conn())
            .await?;
        Ok(row.is_some())
    }

    async fn set_book_offer(&self, tx: &mut Tx, id: &str, offer: &Offer, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE books SET price_amount = $2, price_currency = $3, featured = $4, premium = $5, updated_at = $6 WHERE id = $1";
        let binds = vec![
            Bind::Text(id),
            Bind::Int(offer.price.amount),
            Bind::Text(&offer.price.currency),
            Bind::Bool(offer.featured),
            Bind::Bool(offer.premium),
            Bind::Int(now_ms),
        ];
        Ok(bind_all(sqlx::query(sql), binds).execute(tx.conn()).await?.rows_affected() == 1)
    }

    async fn set_book_status(&self, tx: &mut Tx, id: &str, status: BookStatus, now_ms: i64) -> StoreResult<bool> {
        let sql = "UPDATE books SET status = $2, published_at = CASE WHEN $2 = 'published' THEN COALESCE(published_at, $3) ELSE published_at END, \
                   updated_at = $3 WHERE id = $1";
        let done =
            bind_all(sqlx::query(sql), vec![Bind::Text(id), Bind::Text(status.as_str()), Bind::Int(now_ms)]).execute(tx.conn()).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn book_languages(&self, published_only: bool) -> StoreResult<Vec<String>> {
        let sql = if published_only {
            "SELECT DISTINCT language FROM books WHERE status = 'published'"
        } else {
            "SELECT DISTINCT language FROM books"
        };
        let rows = sqlx::query(sql).fetch_all(self.pool()).await?;
        rows.iter().map(|r| Ok(r.try_get::<String, _>("language")?)).collect()
    }

    async fn count_books(&self, filter: &BookFilter, published_only: bool) -> StoreResult<u64> {
        let language_prefix = filter.language.as_ref().map(|l| format!("{l}-%"));
        let mut p = Params { binds: Vec::new() };
        let cond = book_conditions(filter, published_only, language_prefix.as_deref(), &mut p);
        let sql = format!("SELECT COUNT(*) AS n FROM books b{cond}");
        let total: i64 = bind_all(sqlx::query(&sql), p.binds).fetch_one(self.pool()).await?.try_get("n")?;
        Ok(total.max(0) as u64)
    }

    async fn list_books(&self, filter: &BookFilter, published_only: bool, start: Start, limit: u32) -> StoreResult<BookPage> {
        let limit = limit.clamp(1, 100);
        let language_prefix = filter.language.as_ref().map(|l| format!("{l}-%"));
        let mut p = Params { binds: Vec::new() };
        let cond = book_conditions(filter, published_only, language_prefix.as_deref(), &mut p);
        let mut page_sql = format!("SELECT {BOOK_COLUMNS} {FROM_BOOKS}{cond}");
        // Titles compare byte by byte on both databases (PostgreSQL's default collation would
        // order differently from SQLite's); sort_title is already folded for readers.
        let title = if self.backend() == crate::store::sql::Backend::Postgres { "b.sort_title COLLATE \"C\"" } else { "b.sort_title" };
        let mut offset = None;
        // Keyset pages compare row values, which both databases turn into an index range (the
        // equivalent `a < x OR (a = x AND id < y)` is a filter over every row before the page).
        match &start {
            Start::Offset(o) => offset = Some(*o as i64),
            Start::After(ms, id) => {
                let (a, c) = (p.push(Bind::Int(*ms)), p.push(Bind::Text(id)));
                page_sql.push_str(&format!(" AND (b.created_at, b.id) < ({a}, {c})"));
            }
            Start::AfterPopularity(n, id) => {
                let (a, c) = (p.push(Bind::Int(*n)), p.push(Bind::Text(id)));
                page_sql.push_str(&format!(" AND (b.popularity, b.id) < ({a}, {c})"));
            }
            Start::AfterRating(n, id) => {
                let (a, c) = (p.push(Bind::Int(*n)), p.push(Bind::Text(id)));
                page_sql.push_str(&format!(" AND (b.rating_rank, b.id) < ({a}, {c})"));
            }
            Start::AfterTitle(t, id) => {
                let (a, c) = (p.push(Bind::Text(t)), p.push(Bind::Text(id)));
                page_sql.push_str(&format!(" AND ({title}, b.id) > ({a}, {c})"));
            }
        }
        let order = match filter.sort {
            Sort::Newest => "b.created_at DESC, b.id DESC".to_owned(),
            Sort::Popular => "b.popularity DESC, b.id DESC".to_owned(),
            Sort::Rating => "b.rating_rank DESC, b.id DESC".to_owned(),
            Sort::Title => format!("{title}, b.id"),
        };
        let lim = p.push(Bind::Int(limit as i64 + 1));
        page_sql.push_str(&format!(" ORDER BY {order} LIMIT {lim}"));
        if let Some(o) = offset {
            page_sql.push_str(&format!(" OFFSET {}", p.push(Bind::Int(o))));
        }
        let rows = bind_all(sqlx::query(&page_sql), p.binds).fetch_all(self.pool()).await?;
        let mut books = rows.iter().map(book_from_row).collect::<StoreResult<Vec<_>>>()?;
        let next_cursor = if books.len() > limit as usize {
            books.truncate(limit as usize);
            books.last().map(|b| cursor_after(filter.sort, b))
        } else {
            None
        };
        self.attach_relations(&mut *self.pool().acquire().await?, &mut books).await?;
        Ok(BookPage { books, next_cursor, total: 0 })
    }
}

fn listed_from_row(r: &AnyRow) -> StoreResult<crate::catalog::Listed> {
    let books: i64 = r.try_get("books")?;
    Ok(crate::catalog::Listed {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        detail: r.try_get("detail")?,
        parent_id: r.try_get("parent_id")?,
        photo: r.try_get("photo")?,
        books: books.max(0) as u64,
    })
}

/// The WHERE clause of a book listing (and its binds in `p`).
fn book_conditions<'a>(filter: &'a BookFilter, published_only: bool, language_prefix: Option<&'a str>, p: &mut Params<'a>) -> String {
    let mut cond = String::from(" WHERE 1 = 1");
    if published_only {
        cond.push_str(" AND b.status = 'published'");
    }
    if let (Some(lang), Some(prefix)) = (&filter.language, language_prefix) {
        let (a, b) = (p.push(Bind::Text(lang)), p.push(Bind::Text(prefix)));
        cond.push_str(&format!(" AND (b.language = {a} OR b.language LIKE {b})"));
    }
    if let Some(f) = filter.format {
        cond.push_str(&format!(" AND b.format = {}", p.push(Bind::Text(f.as_str()))));
    }
    match filter.free {
        // Free: no price and not kept for Premium.
        Some(true) => cond.push_str(&format!(" AND b.price_amount = 0 AND b.premium = {}", p.push(Bind::Bool(false)))),
        Some(false) => cond.push_str(&format!(" AND (b.price_amount > 0 OR b.premium = {})", p.push(Bind::Bool(true)))),
        None => {}
    }
    if let Some(slug) = &filter.category {
        let s = p.push(Bind::Text(slug));
        cond.push_str(&format!(
            // The category and every one below it: books are filed in the leaves.
            " AND EXISTS (SELECT 1 FROM book_categories bc WHERE bc.book_id = b.id AND bc.category_id IN \
             (WITH RECURSIVE branch(id) AS (SELECT id FROM categories WHERE slug = {s} \
             UNION SELECT c.id FROM categories c JOIN branch ON c.parent_id = branch.id) SELECT id FROM branch))"
        ));
    }
    if let Some(author) = &filter.author {
        let a = p.push(Bind::Text(author));
        cond.push_str(&format!(" AND EXISTS (SELECT 1 FROM book_authors ba WHERE ba.book_id = b.id AND ba.author_id = {a})"));
    }
    if let Some(publisher) = &filter.publisher {
        cond.push_str(&format!(" AND b.publisher_id = {}", p.push(Bind::Text(publisher))));
    }
    cond
}

/// The title as the catalogue sorts it: folded (no case, no accents).
/// What a name is searched by: folded (lower case, no accents), as titles are.
pub fn name_key(name: &str) -> String {
    crate::search::fold(name.trim())
}

/// The one statement that makes a category.
async fn insert_category(
    conn: &mut sqlx::AnyConnection,
    id: &str,
    parent_id: Option<&str>,
    slug: &str,
    name: &str,
    now_ms: i64,
) -> Result<sqlx::any::AnyQueryResult, sqlx::Error> {
    let sql = "INSERT INTO categories (id, parent_id, slug, name, name_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)";
    let key = name_key(name);
    bind_all(
        sqlx::query(sql),
        vec![Bind::Text(id), Bind::OptText(parent_id), Bind::Text(slug), Bind::Text(name), Bind::Text(&key), Bind::Int(now_ms)],
    )
    .execute(conn)
    .await
}

pub fn sort_key(title: &str) -> String {
    crate::search::fold(title.trim()).chars().take(200).collect()
}

/// The cursor after `b` for a sort: `<ms>_<id>` (newest), `p<popularity>_<id>`, `t<hex of
/// the sort title>_<id>` (hex: titles hold any character).
fn cursor_after(sort: Sort, b: &Book) -> String {
    match sort {
        Sort::Newest => format!("{}_{}", b.created_at.timestamp_millis(), b.id),
        Sort::Popular => format!("p{}_{}", b.popularity, b.id),
        Sort::Rating => format!("r{}_{}", rating_rank(b), b.id),
        Sort::Title => format!("t{}_{}", sort_key(&b.title).bytes().map(|x| format!("{x:02x}")).collect::<String>(), b.id),
    }
}

/// The rank the catalogue sorts by rating with, as `refresh_book_rating` stores it: hundredths
/// of the average with two phantom ratings of 3, 0 without ratings.
fn rating_rank(b: &Book) -> i64 {
    if b.rating_count == 0 {
        0
    } else {
        ((b.rating_sum as i64 + 6) * 100) / (b.rating_count as i64 + 2)
    }
}

/// Reads a cursor written by `list_books`.
pub fn parse_cursor(cursor: &str) -> Option<Start> {
    let (key, id) = cursor.split_once('_')?;
    if id.is_empty() || id.len() > 64 || key.len() > 800 {
        return None;
    }
    let id = id.to_owned();
    if let Some(n) = key.strip_prefix('p') {
        return Some(Start::AfterPopularity(n.parse().ok()?, id));
    }
    if let Some(n) = key.strip_prefix('r') {
        return Some(Start::AfterRating(n.parse().ok()?, id));
    }
    if let Some(hex) = key.strip_prefix('t') {
        if hex.len() % 2 != 0 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()).collect();
        return Some(Start::AfterTitle(String::from_utf8(bytes?).ok()?, id));
    }
    Some(Start::After(key.parse().ok()?, id))
}
