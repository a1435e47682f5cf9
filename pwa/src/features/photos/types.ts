// Wire shape of an attachment upload, and a photo as the device keeps it until the server has it (platform/db.ts
// owns the store). Field names are the server's, unchanged.

/** PUT /attachments/{sha256}: 201 new, 200 already there. */
export interface AttachmentStored {
  sha256: string
  size: number
}

export interface PhotoRecord {
  sha256: string
  blob: Blob
  /** The Content-Type it is uploaded with. */
  type: string
  user_id: number
  saved_at: number
  /** The server has it (PUT answered 200 or 201); dropped once no mutation waiting to go names it. */
  uploaded: boolean
}
