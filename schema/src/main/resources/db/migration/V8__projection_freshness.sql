-- How current the projection is, per partition (extensions.md §2): the last time the
-- projector found nothing waiting in the partition (caught_up), or, while records wait,
-- the newest event time it has projected. Written with the batch that it describes, or
-- alone while the partition is idle; the read API's freshness headers take the minimum.
ALTER TABLE projector_offsets
    ADD COLUMN data_as_of timestamptz,
    ADD COLUMN caught_up  boolean NOT NULL DEFAULT false;
