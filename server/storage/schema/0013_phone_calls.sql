-- SMS and voice calls (issue 18). A message to a template service (Aliyun, Tencent Cloud SMS and voice) carries
-- the named values of its pre-approved template (``params``, JSON) beside its title and body. A user's phone
-- call is a subscription of kind 'call' (one per user): its address is the deployment's voice service
-- (ANDIAN_NOTIFY_VOICE_URL) and the user's phone number, put together when it is sent.
ALTER TABLE notify_messages ADD COLUMN params TEXT;
ALTER TABLE subscriptions ADD COLUMN kind TEXT NOT NULL DEFAULT 'url';
CREATE UNIQUE INDEX subscriptions_one_call ON subscriptions(user_id) WHERE kind = 'call' AND deleted_at IS NULL;
