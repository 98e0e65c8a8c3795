-- 0005: reserved. Another branch owns migration 5; this empty placeholder lets the issue-18 branch
-- migrate on its own. Delete it when 0006_promotions.sql is renumbered on merge.
SELECT 1;
